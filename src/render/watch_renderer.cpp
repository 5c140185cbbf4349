#include "render/watch_renderer.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/finding.h"
#include "render/sparkline.h"

namespace pktloss {
namespace {

std::string rate(const std::map<std::string, double>& m, const std::string& layer) {
  auto it = m.find(layer);
  if (it == m.end()) return "-";
  return it->second >= 100 ? fmt::format("{:.0f}", it->second) : fmt::format("{:.1f}", it->second);
}

const char* sev_colour(const std::string& s) {
  return s == "critical" ? "\033[31;1m" : s == "warning" ? "\033[33m" : "\033[2m";
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Cuts a line to `width` printable columns (escape sequences are not counted).
std::string fit(const std::string& line, int width) {
  std::string out;
  int cols = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\033') {
      size_t end = line.find('m', i);
      if (end == std::string::npos) break;
      out.append(line, i, end - i + 1);
      i = end;
      continue;
    }
    auto c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) != 0x80) {
      if (cols >= width) break;
      ++cols;
    }
    out += static_cast<char>(c);
  }
  return out;
}

std::string clean(const std::string& s) {
  std::string o;
  for (char c : s) o += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  return o;
}

// One line per layer with counters: its sparkline over the time line, the latest rate and the
// peak. Link first, as in the table above.
void timeline_lines(const MonitorState& st, const WatchView& v, std::vector<std::string>& lines) {
  if (st.timeline.empty()) return;
  const char* bold = v.color ? "\033[1m" : "";
  const char* reset = v.color ? "\033[0m" : "";
  double span = st.timeline.back().unix_s - st.timeline.front().unix_s;
  lines.push_back("");
  lines.push_back(fmt::format(
      "{}Drops per second over the last {}{} (all namespaces)", bold,
      span >= 120 ? fmt::format("{:.0f} min", span / 60) : fmt::format("{:.0f} s", span), reset));
  // 2 + 11 + 1 + spark + "  now 12345.0/s  max 12345.0/s"
  size_t width = static_cast<size_t>(std::max(8, v.width - 46));
  for (size_t k = 0; k < kLayerCount; ++k) {
    bool known = false;
    std::vector<double> series;
    series.reserve(st.timeline.size());
    double peak = 0;
    for (const auto& s : st.timeline) {
      known |= s.known[k];
      series.push_back(s.per_s[k]);
      peak = std::max(peak, s.per_s[k]);
    }
    if (!known) continue;
    std::string spark = sparkline(series, width, v.utf8);
    bool hot = peak > 0 && v.color;
    lines.push_back(fmt::format("  {:<11} {}{}{}  now {:>7}  max {:>7}", to_string(kAllLayers[k]),
                                hot ? "\033[31m" : "", spark, hot ? "\033[0m" : "",
                                rate({{"x", series.back()}}, "x"), rate({{"x", peak}}, "x")));
  }
}

}  // namespace

std::string render_watch_screen(const WatchView& v) {
  const MonitorState& st = *v.state;
  const Report& r = st.report;
  std::vector<std::string> lines;
  const char* bold = v.color ? "\033[1m" : "";
  const char* reset = v.color ? "\033[0m" : "";
  lines.push_back(
      fmt::format("{}pktloss watch{}  {}  {}  every {:.1f} s, findings over {:.0f} s  "
                  "(q quits)",
                  bold, reset, clean(r.host), st.latest ? st.latest->taken_at : "", st.interval_s,
                  st.window_s));
  lines.push_back("");
  lines.push_back(fmt::format("{}Drops per second{} (kernel counters, last {:.1f} s)", bold, reset,
                              st.rate_interval_s));
  std::string head = fmt::format("  {:<20}", "NETNS");
  for (Layer l : kAllLayers) head += fmt::format(" {:>11}", to_string(l));
  lines.push_back(head);
  if (st.layer_rates.empty()) lines.push_back("  (first collection: rates from the next one)");
  for (const auto& lr : st.layer_rates) {
    std::string row = fmt::format("  {:<20}", clean(lr.netns).substr(0, 20));
    for (Layer l : kAllLayers) {
      std::string cell = rate(lr.per_s, to_string(l));
      bool hot = cell != "-" && cell != "0.0";
      row += v.color && hot ? fmt::format(" \033[31;1m{:>11}\033[0m", cell)
                            : fmt::format(" {:>11}", cell);
    }
    lines.push_back(row);
  }
  timeline_lines(st, v, lines);
  lines.push_back("");
  if (!st.tracer_available) {
    lines.push_back(fmt::format("{}Kernel drop reasons{}: tracer unavailable ({})", bold, reset,
                                clean(st.tracer_note)));
  } else {
    lines.push_back(fmt::format("{}Top kernel drop reasons{} (eBPF, last interval)", bold, reset));
    if (st.recent_drops.empty()) lines.push_back("  none");
    double dt = std::max(st.rate_interval_s, 1e-3);
    for (size_t i = 0; i < st.recent_drops.size() && i < 5; ++i) {
      const auto& d = st.recent_drops[i];
      lines.push_back(fmt::format("  {:>9.1f}/s  {:<16} {:<10} {:<24} {}", d.packets / dt,
                                  clean(d.netns), clean(d.dev), clean(d.reason), clean(d.layer)));
    }
  }
  lines.push_back("");
  lines.push_back(fmt::format("{}Findings{} ({} active)", bold, reset, r.findings.size()));
  if (r.findings.empty()) lines.push_back("  none");
  for (const auto& f : r.findings) {
    std::string sev = to_string(f.severity);
    lines.push_back(fmt::format("  {}{:<8}{} {:<26} {:<14} {}", v.color ? sev_colour(sev) : "",
                                upper(sev), reset, f.id, clean(f.netns),
                                clean(f.summary.empty() ? f.object : f.summary)));
  }
  if (v.events && !v.events->empty()) {
    lines.push_back("");
    lines.push_back(fmt::format("{}Events{}", bold, reset));
    size_t n = v.events->size(), from = n > 8 ? n - 8 : 0;
    for (size_t i = from; i < n; ++i) {
      const auto& e = (*v.events)[i];
      lines.push_back(fmt::format("  {} {} {} {} {} {}", e.time,
                                  e.appeared ? "+ appeared" : "- cleared ", e.id, clean(e.netns),
                                  clean(e.object), e.severity));
    }
  }
  std::string out;
  int rows = 0;
  for (const auto& l : lines) {
    if (rows + 1 >= v.height) break;
    out += fit(l, v.width);
    out += "\033[K\n";  // clear to the end of the line: the previous frame may have been wider
    ++rows;
  }
  return out;
}

std::string render_watch_lines(const WatchView& v, size_t new_events) {
  const MonitorState& st = *v.state;
  std::string t = st.latest ? st.latest->taken_at : "";
  std::string out;
  for (const auto& lr : st.layer_rates) {
    out += t + " " + clean(lr.netns) + " drops/s";
    for (Layer l : kAllLayers)
      out += std::string(" ") + to_string(l) + "=" + rate(lr.per_s, to_string(l));
    out += '\n';
  }
  double dt = std::max(st.rate_interval_s, 1e-3);
  for (size_t i = 0; i < st.recent_drops.size() && i < 5; ++i) {
    const auto& d = st.recent_drops[i];
    out += fmt::format("{} {} kernel drop {} {} {} {:.1f}/s\n", t, clean(d.netns), clean(d.reason),
                       clean(d.dev), clean(d.layer), d.packets / dt);
  }
  if (v.events) {
    size_t n = v.events->size(), from = n > new_events ? n - new_events : 0;
    for (size_t i = from; i < n; ++i) {
      const auto& e = (*v.events)[i];
      out += fmt::format("{} finding {} {} {} {} {}\n", t, e.appeared ? "appeared" : "cleared",
                         e.id, clean(e.netns), clean(e.object), e.severity);
    }
  }
  return out;
}

}  // namespace pktloss
