// `pktloss probe --target HOST[:PORT] [--mode ...]`: runs probes from one namespace and prints
// the results (a text table, or the report document with --json). Exit 1 when the probes show
// loss worth a warning.
#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "cli/command.h"
#include "cli/targets.h"
#include "cli/validators.h"
#include "probe/run_probes.h"
#include "render/probe_view.h"
#include "session/probe_source.h"
#include "session/window.h"

namespace pktloss {
namespace {

struct ProbeOptions {
  std::string target;
  std::string mode = "syn";
  int count = 20;
  int interval_ms = 20;
  int timeout_ms = 1000;
  std::string path = "/";
  std::string sizes = "auto";
};

ProbePlan make_plan(const ProbeOptions& o) {
  ProbePlan plan;
  ResolvedTarget t;
  try {
    t = resolve_target(o.target);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("--target: ") + e.what());
  }
  plan.host = t.host;
  plan.port = t.port.value_or(80);
  plan.kinds.clear();
  std::stringstream ss(o.mode);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto k = probe_kind_from_string(item);
    if (!k)
      throw std::runtime_error("--mode: unknown probe '" + item +
                               "' (syn, connect, http, udp, icmp, mtu)");
    plan.kinds.push_back(*k);
  }
  if (plan.kinds.empty()) throw std::runtime_error("--mode: no probe kind given");
  plan.count = o.count;
  plan.interval_ms = o.interval_ms;
  plan.timeout_ms = o.timeout_ms;
  plan.http_timeout_ms = std::max(o.timeout_ms * 3, 1000);  // a whole exchange, not one answer
  plan.straggler_ms = o.timeout_ms;
  if (o.path.empty() || o.path[0] != '/' || o.path.find_first_of(" \r\n\t") != std::string::npos)
    throw std::runtime_error("--path: must start with / and contain no spaces");
  plan.http_path = o.path;
  try {
    plan.sizes = parse_sizes(o.sizes);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("--sizes: ") + e.what());
  }
  return plan;
}

int run_probe(const CommonOptions& common, const ProbeOptions& opts) {
  ProbePlan plan = make_plan(opts);
  auto probing = resolve_targets(common, false).front();
  plan.source_netns = probing.name;
  ProbeSource::OnResult progress;
  if (common.verbose && !common.json)
    progress = [](const ProbeResult& r) {  // the first line: kind and counts, as it happens
      std::string line = format_probe_line(r);
      std::fprintf(stderr, "done: %s\n", line.substr(0, line.find('\n')).c_str());
    };
  Target target{plan.host, plan.port};
  // Probes only: no snapshots, the window is as long as the probes take.
  WindowPlan window;
  window.scope = probing.name;
  window.ready_fd = common.ready_fd;
  window.sources.push_back(std::make_unique<ProbeSource>(probing, std::move(plan), progress));
  Report report = run_window(window);
  report.target = target;
  return emit(report, output_spec(common, TextView::probes));
}

}  // namespace

void register_probe_command(CLI::App& app, CommonOptions& common, CommandRunner& run) {
  auto* sub = app.add_subcommand(
      "probe", "probe a target (TCP SYN like hping3 -S, connect, HTTP GET, UDP, ICMP, MTU sweep)");
  add_common_options(*sub, common);
  auto opts = std::make_shared<ProbeOptions>();
  sub->add_option("--target", opts->target, "HOST[:PORT] (IPv4 address or a name, port 80)")
      ->required();
  sub->add_option("--mode", opts->mode,
                  "syn|connect|http|udp|icmp|mtu, or several separated by commas")
      ->capture_default_str();
  sub->add_option("--count", opts->count, "probes per kind")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  sub->add_option("--interval", opts->interval_ms, "milliseconds between probes (0: flood)")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  sub->add_option("--timeout", opts->timeout_ms, "milliseconds to wait for an answer")
      ->check(CLI::Range(10, 60000))
      ->capture_default_str();
  sub->add_option("--path", opts->path, "HTTP path for --mode http")
      ->capture_default_str()
      ->check(http_path());
  sub->add_option("--sizes", opts->sizes, "mtu sweep sizes: auto or a list like 100,576,1500")
      ->capture_default_str();
  sub->callback(
      [&run, &common, opts] { run = [&common, opts] { return run_probe(common, *opts); }; });
}

}  // namespace pktloss
