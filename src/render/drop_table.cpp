#include "render/drop_table.h"

#include <fmt/format.h>

#include <algorithm>

namespace pktloss {
namespace {

std::string cut(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 1) + "~";
}

}  // namespace

std::string render_drop_table(const std::vector<DropEventRow>& rows, const TableStyle& style,
                              double elapsed_s) {
  uint64_t total = 0;
  for (const auto& r : rows) total += r.packets;
  std::string out =
      fmt::format("kernel drops (kfree_skb) in {:.1f} s: {} packet{} in {} row{}\n", elapsed_s,
                  total, total == 1 ? "" : "s", rows.size(), rows.size() == 1 ? "" : "s");
  if (rows.empty()) return out;
  size_t wr = 6, wl = 8, wn = 5, wd = 3, wf = 4;
  for (const auto& r : rows) {
    wr = std::max(wr, r.reason.size());
    wl = std::max(wl, std::min<size_t>(r.location.size(), 32));
    wn = std::max(wn, std::min<size_t>(r.netns.size(), 20));
    wd = std::max(wd, std::min<size_t>(r.dev.size(), 15));
    wf = std::max(wf, r.flow.size());
  }
  const char* bold = style.color ? "\x1b[1m" : "";
  const char* reset = style.color ? "\x1b[0m" : "";
  out +=
      fmt::format("{}{:>10} {:>12} {:<{}} {:<{}} {:<9} {:<{}} {:<{}} {:<6} ", bold, "PACKETS",
                  "BYTES", "REASON", wr, "LOCATION", wl, "LAYER", "NETNS", wn, "DEV", wd, "PROTO");
  if (style.flows) out += fmt::format("{:<{}} ", "FLOW", wf);
  out += fmt::format("EXPLANATION{}\n", reset);
  for (const auto& r : rows) {
    out += fmt::format("{:>10} {:>12} {:<{}} {:<{}} {:<9} {:<{}} {:<{}} {:<6} ", r.packets, r.bytes,
                       r.reason, wr, cut(r.location, 32), wl, r.layer, cut(r.netns, 20), wn,
                       cut(r.dev.empty() ? "-" : r.dev, 15), wd, r.proto);
    if (style.flows) out += fmt::format("{:<{}} ", r.flow, wf);
    out += r.explanation;
    if (!style.flows && !r.example.empty()) out += " [e.g. " + r.example + "]";
    out += "\n";
  }
  return out;
}

}  // namespace pktloss
