#include "probe/run_probes.h"

#include <algorithm>
#include <cstdio>

#include "probe/probes.h"

namespace pktloss {

std::vector<ProbeResult> run_probes(const ProbePlan& plan, const ProbeProgress& progress) {
  std::vector<ProbeResult> out;
  for (ProbeKind k : plan.kinds) {
    if (plan.stop_requested && plan.stop_requested()) break;
    ProbeResult r;
    switch (k) {
      case ProbeKind::syn:
        r = probe_syn(plan);
        break;
      case ProbeKind::connect:
        r = probe_connect(plan);
        break;
      case ProbeKind::http:
        r = probe_http(plan);
        break;
      case ProbeKind::udp:
        r = probe_udp(plan);
        break;
      case ProbeKind::icmp:
        r = probe_icmp(plan);
        break;
      case ProbeKind::mtu:
        r = probe_mtu(plan);
        break;
    }
    if (progress) progress(r);
    out.push_back(std::move(r));
  }
  return out;
}

int64_t estimated_max_ms(const ProbePlan& plan) {
  const int64_t n = std::max(plan.count, 0);
  const int64_t iv = std::max(plan.interval_ms, 0);
  int64_t total = 0;
  for (ProbeKind k : plan.kinds) {
    switch (k) {
      case ProbeKind::syn:
        total += n * iv + plan.straggler_ms;
        break;
      case ProbeKind::icmp:
        total += n * iv + plan.timeout_ms;
        break;
      case ProbeKind::connect:
      case ProbeKind::udp:
        total += n * std::max<int64_t>(iv, plan.timeout_ms);
        break;
      case ProbeKind::http:
        total += n * std::max<int64_t>(iv, plan.http_timeout_ms);
        break;
      case ProbeKind::mtu: {
        // Every tested size costs at most two timeouts: the list (or the auto ladder) plus a
        // bisection of at most 16 steps.
        int64_t tests = (plan.sizes.empty() ? 16 : static_cast<int64_t>(plan.sizes.size())) + 17;
        total += tests * 2 * plan.timeout_ms;  // a silent size is tried twice
        break;
      }
    }
  }
  return total;
}

void record_own_traffic(const std::vector<ProbeResult>& results, Observations& obs) {
  for (const auto& r : results) {
    if (r.kind != "tcp-syn" || r.sent == 0) continue;
    obs.own_syn_probes += r.sent;
    obs.own_syn_probes_netns = r.source_netns;
    std::string ns = r.source_netns.empty() ? "the probing namespace" : "netns " + r.source_netns;
    // Only SYN-ACKs make this host answer (RST, no socket); RST answers end there. errors
    // counts the target's RSTs (and local send failures, never answered).
    uint64_t synacks = r.received - std::min(r.received, r.errors);
    obs.own_syn_acks_reset += synacks;
    obs.own_traffic_notes.push_back(
        std::to_string(r.sent) + " raw TCP SYN probes to " + r.target + " from " + ns + ": " +
        std::to_string(synacks) +
        " SYN-ACKs found no socket there and were answered with RST (those Tcp OutRsts and "
        "NO_SOCKET drops are our own), " +
        std::to_string(r.received - synacks) + " RST answers");
  }
}

}  // namespace pktloss
