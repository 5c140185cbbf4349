// `pktloss diagnose`: probe a target while watching every layer of the probing namespace and of
// every --observe namespace, then report every concurrent cause at once.
#include <unistd.h>

#include <cstdio>
#include <set>

#include "cli/command.h"
#include "cli/targets.h"
#include "cli/validators.h"
#include "probe/run_probes.h"
#include "render/probe_view.h"
#include "session/capture_source.h"
#include "session/probe_source.h"
#include "session/tracer_source.h"
#include "session/window.h"

namespace pktloss {
namespace {

struct DiagnoseOptions {
  std::string target;  // HOST[:PORT]
  std::vector<std::string> observe;
  std::vector<std::string> observe_containers;
  int count = 20;
  int interval_ms = 20;
  std::string sizes = "auto";
  std::string http_path = "/";
  bool trace = false;
  bool capture = false;
  std::string html_file;
};

ProbePlan make_probe_plan(const NetnsTarget& probing, const DiagnoseOptions& opts) {
  ResolvedTarget target = resolve_target(opts.target);
  ProbePlan plan;
  plan.host = target.host;
  plan.port = target.port.value_or(80);
  plan.count = opts.count;
  plan.interval_ms = opts.interval_ms;
  plan.http_path = opts.http_path;
  plan.source_netns = probing.name;
  if (opts.sizes == "none")
    std::erase(plan.kinds, ProbeKind::mtu);
  else
    plan.sizes = parse_sizes(opts.sizes);
  return plan;
}

int run_diagnose(const CommonOptions& common, const DiagnoseOptions& opts) {
  // The probing namespace is observed first; --observe adds more, each once (by inode).
  WindowPlan plan;
  auto probing = resolve_targets(common, false, &plan.notes).front();
  plan.observed.push_back(probing);
  std::set<uint64_t> seen{probing.inode};
  for (const auto& name : opts.observe) {
    auto t = netns_by_name(name);
    if (seen.insert(t.inode).second) plan.observed.push_back(t);
  }
  for (const auto& name : opts.observe_containers) {
    auto t = container_target(name, &plan.notes);
    if (seen.insert(t.inode).second) plan.observed.push_back(t);
  }
  plan.ready_fd = common.ready_fd;
  ProbePlan probes = make_probe_plan(probing, opts);

  if (opts.trace) {
    // Kernel drops in every observed namespace, of packets to or from the target.
    TraceFilters filters;
    for (const auto& t : plan.observed) filters.netns_inodes.push_back(t.inode);
    filters.host = probes.host;
    plan.sources.push_back(std::make_unique<TracerSource>(filters));
  }
  if (opts.capture) {
    // The probe traffic on every interface of the probing namespace.
    capture::LiveCaptureOptions copts;
    copts.iface = "any";
    copts.filter = "host " + probes.host;
    copts.duration_s = 0;  // until the probes are done
    plan.sources.push_back(std::make_unique<CaptureSource>(
        probing, copts, CaptureContext{probing.name, "any"}, WindowSource::Role::passive));
  }
  ProbeSource::OnResult progress;
  if (!common.json && isatty(STDERR_FILENO)) {
    progress = [](const ProbeResult& r) {
      std::fprintf(stderr, "\r\033[K  %s\n", format_probe_line(r).c_str());
      std::fflush(stderr);
    };
    std::fprintf(stderr, "probing %s:%u from %s ...\n", probes.host.c_str(), probes.port,
                 probing.name.c_str());
  }
  Target target{probes.host, probes.port};
  plan.sources.push_back(std::make_unique<ProbeSource>(probing, std::move(probes), progress));

  Report report = run_window(plan);
  report.target = target;
  OutputSpec spec = output_spec(common);
  spec.html_file = opts.html_file;
  return emit(report, spec);
}

}  // namespace

void register_diagnose_command(CLI::App& app, CommonOptions& common, CommandRunner& run) {
  auto* sub = app.add_subcommand(
      "diagnose", "probe a target while watching every layer; report every concurrent cause");
  add_common_options(*sub, common);
  auto opts = std::make_shared<DiagnoseOptions>();
  sub->add_option("--target", opts->target, "HOST[:PORT] to probe (port 80 by default)")
      ->required();
  sub->add_option("--observe", opts->observe,
                  "also snapshot this namespace before/after the probes (repeatable), "
                  "e.g. the server's");
  sub->add_option("--observe-container", opts->observe_containers,
                  "also snapshot this container's namespace (repeatable; NAME, ID prefix, "
                  "RUNTIME/NAME)");
  sub->add_option("--count", opts->count, "probes per kind")->check(CLI::Range(1, 10000));
  sub->add_option("--interval", opts->interval_ms, "milliseconds between probes")
      ->check(CLI::Range(0, 10000));
  sub->add_option("--sizes", opts->sizes, "size sweep: auto, none, or a list like 64,500,1400");
  sub->add_option("--path", opts->http_path, "HTTP path to GET (default /)")->check(http_path());
  sub->add_flag("--trace", opts->trace, "record kernel drop reasons (eBPF) during the probes");
  sub->add_flag("--capture", opts->capture, "capture the probe traffic (libpcap) and analyse it");
  sub->add_option("--html", opts->html_file, "also write an HTML report to FILE");
  sub->callback(
      [&run, &common, opts] { run = [&common, opts] { return run_diagnose(common, *opts); }; });
}

}  // namespace pktloss
