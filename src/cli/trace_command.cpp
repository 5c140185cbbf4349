// pktloss trace: kernel drop events (eBPF kfree_skb) grouped by reason, location, netns, device
// and optionally flow; a live table on a terminal, the report document with --json.
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "cli/command.h"
#include "cli/targets.h"
#include "cli/validators.h"
#include "session/tracer_source.h"
#include "session/window.h"

namespace pktloss {
namespace {

struct TraceOptions {
  std::string host;
  int port = 0;
  std::string proto;
  double duration_s = 5;
  bool flows = false;
  bool all = false;
};

int run_trace(const CommonOptions& common, const TraceOptions& opts) {
  TraceFilters f;
  WindowPlan plan;
  // Without -n/-p every namespace is traced: drops anywhere on the host are of interest.
  plan.scope = "all";
  if (!common.netns.empty() || common.pid > 0) {
    plan.scope.clear();
    for (const auto& t : resolve_targets(common, false)) {
      f.netns_inodes.push_back(t.inode);
      f.netns_names[t.inode] = t.name;
      plan.scope += (plan.scope.empty() ? "" : ",") + t.name;
    }
  }
  f.host = opts.host;
  f.port = static_cast<uint16_t>(opts.port);
  f.proto = opts.proto;
  f.flows = opts.flows;
  f.include_benign = opts.all;

  auto tracer = std::make_unique<TracerSource>(f);
  const TracerSource* started = tracer.get();
  plan.sources.push_back(std::move(tracer));
  // trace without a tracer has nothing to say: that is an error, not a degraded report.
  plan.sources_required = true;
  plan.duration_s = opts.duration_s;
  plan.until_signal = opts.duration_s <= 0;
  plan.ready_fd = common.ready_fd;
  // Scripts (and tests) wait for this line before sending traffic.
  bool forever = opts.duration_s <= 0;
  plan.on_ready = [started, forever] {
    std::fprintf(stderr, "pktloss: tracing kfree_skb (%s)%s\n", started->attach_mode().c_str(),
                 forever ? ", Ctrl-C to stop" : "");
    std::fflush(stderr);
  };

  OutputSpec spec = output_spec(common, TextView::drops);
  spec.flows = opts.flows;
  bool live = !common.json && isatty(STDOUT_FILENO);
  if (live)
    plan.on_tick = [spec](const Observations& so_far, double elapsed_s) {
      Report partial;
      partial.drop_events = so_far.drop_events;
      partial.window_s = elapsed_s;
      std::string t = "\x1b[H\x1b[2J" + render(OutputFormat::text, {partial}, spec);
      std::fwrite(t.data(), 1, t.size(), stdout);
      std::fflush(stdout);
    };
  Report report = run_window(plan);
  if (live) std::fputs("\x1b[H\x1b[2J", stdout);
  return emit(report, spec);
}

}  // namespace

void register_trace_command(CLI::App& app, CommonOptions& common, CommandRunner& run) {
  auto* sub = app.add_subcommand(
      "trace", "kernel drop events grouped by reason, location and flow (eBPF, kfree_skb)");
  add_common_options(*sub, common);
  auto opts = std::make_shared<TraceOptions>();
  sub->add_option("--host", opts->host, "only packets from or to this IPv4/IPv6 address");
  sub->add_option("--port", opts->port, "only tcp/udp packets from or to this port")
      ->check(CLI::Range(1, 65535));
  sub->add_option("--proto", opts->proto, "only this protocol")
      ->check(CLI::IsMember({"tcp", "udp", "icmp", "icmp6"}));
  sub->add_option("-d,--duration", opts->duration_s, "seconds to trace (0: until Ctrl-C)")
      ->check(real_range(0.0, 86400.0));
  sub->add_flag("--flows", opts->flows, "one row per 5-tuple");
  sub->add_flag("--all", opts->all, "also show normal frees that are not loss (socket close...)");
  sub->callback(
      [&run, &common, opts] { run = [&common, opts] { return run_trace(common, *opts); }; });
}

}  // namespace pktloss
