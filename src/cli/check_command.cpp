// `pktloss check`: every layer of one namespace (or all), once or over a window of -i seconds.
#include "cli/command.h"
#include "cli/targets.h"
#include "session/tracer_source.h"
#include "session/window.h"

namespace pktloss {
namespace {

struct CheckOptions {
  double interval_s = 0;
  bool all_netns = false;
  bool no_sockets = false;
  bool no_firewall = false;
  bool no_trace = false;
};

int run_check(const CommonOptions& common, const CheckOptions& opts) {
  WindowPlan plan;
  plan.observed = resolve_targets(common, opts.all_netns, &plan.notes);
  plan.collect.sockets = !opts.no_sockets;
  plan.collect.firewall = !opts.no_firewall;
  plan.duration_s = opts.interval_s;
  plan.ready_fd = common.ready_fd;
  if (opts.interval_s > 0 && !opts.no_trace) {
    // Kernel drop events over the whole window, in the checked namespaces only.
    TraceFilters tf;
    for (const auto& t : plan.observed) {
      tf.netns_inodes.push_back(t.inode);
      tf.netns_names[t.inode] = t.name;
    }
    plan.sources.push_back(std::make_unique<TracerSource>(tf));
  }
  return emit(run_window(plan), output_spec(common));
}

}  // namespace

void register_check_command(CLI::App& app, CommonOptions& common, CommandRunner& run) {
  auto* sub = app.add_subcommand(
      "check", "snapshot every layer (twice, SECONDS apart, with -i) and rank the findings");
  add_common_options(*sub, common);
  auto opts = std::make_shared<CheckOptions>();
  sub->add_option("-i,--interval", opts->interval_s,
                  "seconds between two snapshots; deltas in that window are strong evidence")
      ->check(CLI::Range(0.0, 3600.0));
  sub->add_flag("--all-netns", opts->all_netns, "every network namespace on the host");
  sub->add_flag("--no-sockets", opts->no_sockets, "skip the per-socket view (sock_diag)");
  sub->add_flag("--no-firewall", opts->no_firewall, "skip netfilter rules and conntrack");
  sub->add_flag("--no-trace", opts->no_trace, "skip the eBPF kernel drop tracer during -i");
  sub->callback(
      [&run, &common, opts] { run = [&common, opts] { return run_check(common, *opts); }; });
}

}  // namespace pktloss
