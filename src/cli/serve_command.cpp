// pktloss serve: a Prometheus/OpenMetrics exporter of every layer's drop counters, the kernel
// drop tracer and the active findings over a rolling window.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "cli/command.h"
#include "cli/monitor_options.h"
#include "cli/validators.h"
#include "serve/exporter.h"
#include "serve/http_server.h"
#include "serve/monitor.h"

namespace pktloss {
namespace {

struct ServeOptions : MonitorTargetOptions {
  std::string listen = "127.0.0.1:9469";
  double interval_s = 10;
  double window_s = 60;
  bool no_sockets = false;
  bool no_firewall = false;
  size_t max_series = 2000;
  size_t max_sockets = 100;
};

// SIGINT/SIGTERM are blocked in every thread and taken by sigwait on the main thread.
sigset_t stop_signals() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGHUP);
  return s;
}

int run_serve(const ServeOptions& o) {
  std::string host;
  int port = 0;
  parse_listen_address(o.listen, host, port);
  if (!is_loopback_host(host))
    std::fprintf(stderr,
                 "pktloss serve: warning: listening on %s, not loopback: anyone who can reach "
                 "it reads this host's network state\n",
                 host.c_str());
  MonitorOptions mo;
  mo.interval_s = o.interval_s;
  mo.window_s = o.window_s;
  mo.all_netns = o.all_netns;
  mo.netns_names = o.netns;
  mo.trace = o.trace;
  mo.collect.sockets = !o.no_sockets;
  mo.collect.firewall = !o.no_firewall;
  MetricsLimits lim;
  lim.max_series_per_family = o.max_series;
  lim.max_sockets = o.max_sockets;

  sigset_t sigs = stop_signals();
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  Monitor monitor(mo);
  Exporter exporter(monitor, lim);
  monitor.on_publish([&](const std::shared_ptr<const MonitorState>& st) { exporter.publish(st); });
  std::unique_ptr<HttpServer> http;
  http = std::make_unique<HttpServer>(HttpLimits{},
                                      [&](const std::string& path, const std::string& accept) {
                                        return exporter.handle(path, accept, http.get());
                                      });
  int bound = http->bind(host, port);
  // Listening before the first collection (which can take seconds on a host with hundreds of
  // namespaces): /metrics and /-/healthy answer 503 until then.
  http->start();
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::fprintf(stderr, "pktloss serve: listening on http://%s:%d/metrics\n", shown.c_str(), bound);
  std::fflush(stderr);
  monitor.start();
  int sig = 0;
  sigwait(&sigs, &sig);
  http->stop();
  monitor.stop();
  return kExitClean;
}

}  // namespace

void register_serve_command(CLI::App& app, CommonOptions& common, CommandRunner& run) {
  (void)common;
  auto* sub = app.add_subcommand(
      "serve", "Prometheus/OpenMetrics exporter: drop counters, kernel drops, active findings");
  auto opts = std::make_shared<ServeOptions>();
  sub->add_option("--listen", opts->listen,
                  "HOST:PORT to listen on (loopback by default; port 0 picks a free one)");
  add_monitor_target_options(*sub, *opts);
  sub->add_option("--interval", opts->interval_s, "seconds between collections")
      ->check(real_range(0.2, 3600.0));
  sub->add_option("--window", opts->window_s,
                  "seconds the findings are evaluated over (rolling, like check -i)")
      ->check(real_range(0.2, 86400.0));
  sub->add_flag("--no-sockets", opts->no_sockets, "skip the per-socket view (sock_diag)");
  sub->add_flag("--no-firewall", opts->no_firewall, "skip netfilter rules and conntrack");
  sub->add_option("--max-series", opts->max_series,
                  "series per metric family (largest values kept; the rest counted in "
                  "pktloss_series_dropped_total)")
      ->check(CLI::Range(1, 1000000));
  sub->add_option("--max-sockets", opts->max_sockets, "series per socket family (top-N)")
      ->check(CLI::Range(1, 100000));
  sub->callback([&run, opts] { run = [opts] { return run_serve(*opts); }; });
}

}  // namespace pktloss
