#pragma once
// The options `serve` and `watch` share: which namespaces the monitor follows and whether the
// eBPF tracer runs (both re-discover namespaces every interval).
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "cli/validators.h"
#include "netns/netns.h"

namespace pktloss {

struct MonitorTargetOptions {
  std::vector<std::string> netns;
  std::vector<std::string> containers;  // -c NAME ...: re-resolved every interval (restarts)
  bool all_netns = false;
  bool trace = true;
};

inline void add_monitor_target_options(CLI::App& sub, MonitorTargetOptions& o) {
  auto* n = sub.add_option("-n,--netns", o.netns, "named network namespace(s) (/run/netns)")
                ->check(non_empty());
  auto* a = sub.add_flag("--all-netns", o.all_netns,
                         "every network namespace, re-discovered every interval");
  auto* c = sub.add_option("-c,--container", o.containers,
                           "container(s) by NAME, ID prefix or RUNTIME/NAME (Docker, Podman, "
                           "containerd), re-resolved every interval");
  n->excludes(a);
  c->excludes(a);
  sub.add_flag("--trace,!--no-trace", o.trace, "run the eBPF kernel drop tracer (default)");
}

}  // namespace pktloss

namespace pktloss {

// The monitor's target resolution for these options when it needs more than -n names: -c
// containers (re-resolved every interval: a restarted container has a new init pid) and, with
// --all-netns, every namespace named by what lives in it. Null when plain -n resolution will do.
std::function<std::vector<NetnsTarget>(std::vector<std::string>& missing)> monitor_resolver(
    const MonitorTargetOptions& o);

}  // namespace pktloss
