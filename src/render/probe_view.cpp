#include "render/probe_view.h"

#include <cstdio>

namespace pktloss {

std::string format_probe_line(const ProbeResult& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-12s sent %4llu  answered %4llu  loss %5.1f%% [%.1f-%.1f%%]",
                r.kind.c_str(), static_cast<unsigned long long>(r.sent),
                static_cast<unsigned long long>(r.received), r.loss * 100, r.loss_ci_low * 100,
                r.loss_ci_high * 100);
  std::string s = buf;
  if (r.rtt) {
    std::snprintf(buf, sizeof buf, "  rtt min/avg/p50/p99/max %.2f/%.2f/%.2f/%.2f/%.2f ms",
                  r.rtt->min_ms, r.rtt->avg_ms, r.rtt->p50_ms, r.rtt->p99_ms, r.rtt->max_ms);
    s += buf;
  }
  if (!r.detail.empty()) s += "\n             " + r.detail;
  return s;
}

std::string render_probe_view(const Report& report, bool verbose) {
  std::string out = "probes";
  if (report.target)
    out += " to " + report.target->host + ":" + std::to_string(report.target->port);
  out += " from netns " +
         (report.probes.empty() || report.probes[0].source_netns.empty()
              ? report.netns
              : report.probes[0].source_netns) +
         "\n";
  for (const auto& r : report.probes) out += "  " + format_probe_line(r) + "\n";
  for (const auto& f : report.findings)
    out += std::string("  ") + to_string(f.severity) + " " + f.id + ": " + f.summary + "\n" +
           (f.explanation.empty() ? "" : "    " + f.explanation + "\n");
  if (verbose)
    for (const auto& n : report.notes) out += "  note: " + n + "\n";
  return out;
}

}  // namespace pktloss
