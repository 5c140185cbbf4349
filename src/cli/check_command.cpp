// `pktloss check`: every layer of one namespace (or all), once or over a window of -i seconds.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "cli/command.h"
#include "cli/targets.h"
#include "cli/validators.h"
#include "session/tracer_source.h"
#include "session/window.h"
#include "util/clock.h"

namespace pktloss {
namespace {

struct CheckOptions {
  double interval_s = 0;
  bool all_netns = false;
  bool no_sockets = false;
  bool no_firewall = false;
  bool no_trace = false;
  std::string prometheus;  // FILE for node_exporter's textfile collector, or "-" for stdout
};

int run_check(const CommonOptions& common, const CheckOptions& opts) {
  if (opts.prometheus == "-" && common.json)
    throw std::invalid_argument("--json and --prometheus - both write to standard output");
  if (!opts.prometheus.empty() && opts.prometheus != "-") {
    // Said now, not after a window of -i seconds.
    auto slash = opts.prometheus.rfind('/');
    std::string dir = slash == std::string::npos ? "." : opts.prometheus.substr(0, slash + 1);
    if (access(dir.c_str(), W_OK | X_OK) != 0)
      throw std::runtime_error("cannot write " + opts.prometheus + ": " + dir + ": " +
                               std::strerror(errno));
  }
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
  const double t0 = monotonic_seconds();
  Snapshot last;
  Report report = run_window(plan, &last);
  OutputSpec spec = output_spec(common);
  MetricsSelf self;
  self.version = report.version;
  self.collect_duration_s = monotonic_seconds() - t0;
  self.last_collect_unix_s =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (opts.prometheus == "-") {
    spec.format = OutputFormat::prometheus;
    spec.color = false;
  } else {
    spec.metrics_file = opts.prometheus;
  }
  // Only the metrics renderers read the snapshot; for the others it is freed before the report
  // is rendered (at 10,000 links it is most of the memory, and rendering JSON needs ~8 MB more).
  bool metrics = spec.format == OutputFormat::prometheus ||
                 spec.format == OutputFormat::openmetrics || !spec.metrics_file.empty();
  if (!metrics) last = Snapshot{};
  return emit(RenderInput{report, metrics ? &last : nullptr, &self}, spec);
}

}  // namespace

void register_check_command(CLI::App& app, CommonOptions& common, CommandRunner& run) {
  auto* sub = app.add_subcommand(
      "check", "snapshot every layer (twice, SECONDS apart, with -i) and rank the findings");
  add_common_options(*sub, common);
  auto opts = std::make_shared<CheckOptions>();
  sub->add_option("-i,--interval", opts->interval_s,
                  "seconds between two snapshots; deltas in that window are strong evidence")
      ->check(real_range(0.0, 3600.0));
  sub->add_flag("--all-netns", opts->all_netns, "every network namespace on the host");
  sub->add_flag("--no-sockets", opts->no_sockets, "skip the per-socket view (sock_diag)");
  sub->add_flag("--no-firewall", opts->no_firewall, "skip netfilter rules and conntrack");
  sub->add_flag("--no-trace", opts->no_trace, "skip the eBPF kernel drop tracer during -i");
  sub->add_option("--prometheus", opts->prometheus,
                  "also write every counter and finding in the Prometheus text format to FILE, "
                  "atomically (for node_exporter's textfile collector); - prints it instead of "
                  "the report")
      ->type_name("FILE")
      ->check([](const std::string& v) {
        return v.empty() ? std::string("needs a file name, or - for standard output")
                         : std::string();
      });
  sub->callback(
      [&run, &common, opts] { run = [&common, opts] { return run_check(common, *opts); }; });
}

}  // namespace pktloss
