// pktloss trace: kernel drop events (eBPF kfree_skb) grouped by reason, location, netns, device
// and optionally flow; a live table on a terminal, the report document with --json.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "cli/command.h"
#include "cli/targets.h"
#include "model/report.h"
#include "render/json_renderer.h"
#include "rules/engine.h"
#include "rules/rule_families.h"
#include "trace/drop_table.h"
#include "trace/drop_tracer.h"
#include "util/clock.h"

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

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

int run_trace(const CommonOptions& common, const TraceOptions& opts) {
  TraceFilters f;
  // Without -n/-p every namespace is traced: drops anywhere on the host are of interest.
  std::string scope = "all";
  if (!common.netns.empty() || common.pid > 0) {
    scope.clear();
    for (const auto& t : resolve_targets(common, false)) {
      f.netns_inodes.push_back(t.inode);
      f.netns_names[t.inode] = t.name;
      scope += (scope.empty() ? "" : ",") + t.name;
    }
  }
  f.host = opts.host;
  f.port = static_cast<uint16_t>(opts.port);
  f.proto = opts.proto;
  f.flows = opts.flows;
  f.include_benign = opts.all;

  Report report;
  report.version = PKTLOSS_VERSION;
  report.started = rfc3339_now();
  report.host = host_name();
  report.netns = scope;
  DropTracer tracer;
  if (!tracer.start(f)) {
    std::fprintf(stderr, "pktloss: %s\n", tracer.unavailable_reason().c_str());
    return kExitError;
  }
  // Scripts (and tests) wait for this line before sending traffic.
  std::fprintf(stderr, "pktloss: tracing kfree_skb (%s)%s\n", tracer.stats().attach_mode.c_str(),
               opts.duration_s > 0 ? "" : ", Ctrl-C to stop");
  std::fflush(stderr);
  g_stop = 0;
  auto prev_int = std::signal(SIGINT, on_signal);
  auto prev_term = std::signal(SIGTERM, on_signal);
  bool live = !common.json && isatty(STDOUT_FILENO);
  TableStyle style;
  style.color = live && !common.no_color;
  style.flows = opts.flows;
  auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  while (!g_stop && (opts.duration_s <= 0 || elapsed() < opts.duration_s)) {
    double left = opts.duration_s > 0 ? opts.duration_s - elapsed() : 1.0;
    std::this_thread::sleep_for(std::chrono::duration<double>(std::clamp(left, 0.0, 1.0)));
    if (live) {
      std::string t = "\x1b[H\x1b[2J" + render_drop_table(tracer.rows(), style, elapsed());
      std::fwrite(t.data(), 1, t.size(), stdout);
      std::fflush(stdout);
    }
  }
  std::signal(SIGINT, prev_int);
  std::signal(SIGTERM, prev_term);

  report.drop_events = tracer.stop();
  report.window_s = elapsed();
  for (const auto& n : tracer.notes()) report.notes.push_back(n);
  report.notes.push_back("eBPF kfree_skb via " + tracer.stats().attach_mode);
  Observations obs;
  obs.drop_events = report.drop_events;
  obs.drop_events_available = true;
  kernel_drop_rules(obs, report.findings);
  rank_findings(report.findings);
  if (common.json) {
    std::string out = render_json(report);
    std::fwrite(out.data(), 1, out.size(), stdout);
  } else {
    std::string out = (live ? "\x1b[H\x1b[2J" : "") +
                      render_drop_table(report.drop_events, style, report.window_s);
    for (const auto& n : report.notes) out += "note: " + n + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  std::fflush(stdout);
  for (const auto& x : report.findings)
    if (x.severity >= Severity::warning) return kExitFindings;
  return kExitClean;
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
      ->check(CLI::Range(0.0, 86400.0));
  sub->add_flag("--flows", opts->flows, "one row per 5-tuple");
  sub->add_flag("--all", opts->all, "also show normal frees that are not loss (socket close...)");
  sub->callback(
      [&run, &common, opts] { run = [&common, opts] { return run_trace(common, *opts); }; });
}

}  // namespace pktloss
