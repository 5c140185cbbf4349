#include <chrono>
#include <cmath>
#include <thread>

#include "cli/command.h"
#include "cli/targets.h"
#include "collect/snapshot_taker.h"
#include "rules/engine.h"
#include "trace/drop_tracer.h"

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
  auto targets = resolve_targets(common, opts.all_netns);
  CollectOptions collect;
  collect.sockets = !opts.no_sockets;
  collect.firewall = !opts.no_firewall;
  Observations obs;
  RuleConfig cfg;
  if (opts.interval_s <= 0) {
    Snapshot after = take_snapshot(targets, collect);
    return emit_report(evaluate(nullptr, after, obs, cfg), common);
  }
  // Kernel drop events (eBPF) over the whole window, filtered to the checked namespaces.
  DropTracer tracer;
  std::string trace_note;
  if (!opts.no_trace) {
    TraceFilters tf;
    for (const auto& t : targets) {
      tf.netns_inodes.push_back(t.inode);
      tf.netns_names[t.inode] = t.name;
    }
    if (!tracer.start(tf)) trace_note = tracer.unavailable_reason() + " (degraded)";
  }
  Snapshot before = take_snapshot(targets, collect);
  std::this_thread::sleep_for(std::chrono::duration<double>(opts.interval_s));
  Snapshot after = take_snapshot(targets, collect);
  if (tracer.available()) {
    obs.drop_events = tracer.stop();
    obs.drop_events_available = true;
  }
  Report report = evaluate(&before, after, obs, cfg);
  if (!trace_note.empty()) report.notes.push_back(trace_note);
  for (const auto& n : tracer.notes()) report.notes.push_back(n);
  return emit_report(report, common);
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
