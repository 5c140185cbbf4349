// SYN prober throughput on loopback: every probe must be answered and matched. Runs in a private
// network namespace (unshare) with its own listener, so it touches nothing on the host.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "probe/probes.h"

namespace {

int g_listener = -1;
uint16_t g_port = 0;

bool setup_private_loopback() {
  if (unshare(CLONE_NEWNET) != 0) return false;
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  ifreq ifr{};
  std::strcpy(ifr.ifr_name, "lo");
  ioctl(s, SIOCGIFFLAGS, &ifr);
  ifr.ifr_flags |= IFF_UP;
  bool ok = ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
  close(s);
  return ok;
}

bool start_listener() {
  g_listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(g_listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return false;
  if (listen(g_listener, 4096) != 0) return false;
  socklen_t len = sizeof a;
  getsockname(g_listener, reinterpret_cast<sockaddr*>(&a), &len);
  g_port = ntohs(a.sin_port);
  return true;
}

void BM_SynProbeLoopback(benchmark::State& state) {
  pktloss::ProbePlan plan;
  plan.host = "127.0.0.1";
  plan.port = g_port;
  plan.count = static_cast<int>(state.range(0));
  plan.interval_ms = 0;
  plan.straggler_ms = 2000;
  uint64_t sent = 0, matched = 0;
  for (auto _ : state) {
    auto r = pktloss::probe_syn(plan);
    sent += r.sent;
    matched += r.received;
    if (r.received != r.sent) state.SkipWithError(("unmatched replies: " + r.detail).c_str());
  }
  state.counters["probes_per_s"] =
      benchmark::Counter(static_cast<double>(sent), benchmark::Counter::kIsRate);
  state.counters["matched_ratio"] = sent ? static_cast<double>(matched) / sent : 0.0;
}
BENCHMARK(BM_SynProbeLoopback)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  if (!setup_private_loopback() || !start_listener()) {
    std::fprintf(stderr, "bench_probe: needs root (unshare a network namespace, raw sockets)\n");
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
