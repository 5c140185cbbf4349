#pragma once
// The options `serve` and `watch` share: which namespaces the monitor follows and whether the
// eBPF tracer runs (both re-discover namespaces every interval).
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/validators.h"

namespace pktloss {

struct MonitorTargetOptions {
  std::vector<std::string> netns;
  bool all_netns = false;
  bool trace = true;
};

inline void add_monitor_target_options(CLI::App& sub, MonitorTargetOptions& o) {
  auto* n = sub.add_option("-n,--netns", o.netns, "named network namespace(s) (/run/netns)")
                ->check(non_empty());
  auto* a = sub.add_flag("--all-netns", o.all_netns,
                         "every network namespace, re-discovered every interval");
  n->excludes(a);
  sub.add_flag("--trace,!--no-trace", o.trace, "run the eBPF kernel drop tracer (default)");
}

}  // namespace pktloss
