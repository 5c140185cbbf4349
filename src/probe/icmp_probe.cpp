// ICMP echo probes, and the DF size sweep that finds the largest datagram the path carries.
#include <algorithm>
#include <cerrno>
#include <map>

#include "probe/pinger.h"
#include "probe/probe_stats.h"
#include "probe/probes.h"

namespace pktloss {
namespace {

using probe::now_ms;
using probe::Pinger;
using probe::PingEvent;

std::string fmt_ms(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

}  // namespace

ProbeResult probe_icmp(const ProbePlan& plan) {
  ProbeResult r;
  r.kind = "icmp";
  r.target = plan.host;
  r.source_netns = plan.source_netns;
  std::string err;
  auto pinger = Pinger::open(probe::make_addr(plan.host, 0), false, err);
  if (!pinger) {
    r.detail = err;
    return r;
  }
  const int count = std::clamp(plan.count, 0, 65535);
  std::vector<double> sent_at(static_cast<size_t>(count), 0), rtt(static_cast<size_t>(count), -1);
  uint64_t unreach = 0, send_errors = 0;
  const double t0 = now_ms();
  double last_send = t0;
  int sent = 0;
  auto handle = [&](const std::vector<PingEvent>& evs) {
    for (const auto& e : evs) {
      if (e.seq >= sent || rtt[e.seq] >= 0) continue;
      if (e.type == PingEvent::reply) {
        rtt[e.seq] = e.at_ms - sent_at[e.seq];
        ++r.received;
      } else {
        ++unreach;
      }
    }
  };
  while (sent < count) {
    sent_at[static_cast<size_t>(sent)] = now_ms();
    if (pinger->send(static_cast<uint16_t>(sent), 64) != 0) ++send_errors;
    last_send = sent_at[static_cast<size_t>(sent)];
    ++sent;
    double next = t0 + static_cast<double>(plan.interval_ms) * sent;
    while (now_ms() < next) handle(pinger->wait(static_cast<int>(next - now_ms()) + 1));
  }
  while (r.received + unreach < static_cast<uint64_t>(sent) &&
         now_ms() < last_send + plan.timeout_ms)
    handle(pinger->wait(static_cast<int>(last_send + plan.timeout_ms - now_ms()) + 1));
  r.sent = static_cast<uint64_t>(sent);
  r.errors = unreach + send_errors;
  r.timeouts = r.sent - std::min(r.sent, r.received + unreach);
  std::vector<double> rtts;
  for (double v : rtt)
    if (v >= 0) rtts.push_back(v);
  finish_result(r, rtts);
  r.detail = std::string(pinger->ping_socket() ? "ping socket" : "raw socket") +
             ", 64-byte echo: " + std::to_string(r.received) + " replies, " +
             std::to_string(unreach) + " ICMP errors, " + std::to_string(r.timeouts) +
             " unanswered";
  return r;
}

namespace {

enum class SizeVerdict { ok, lost, frag_needed, local_refused };

struct Sweep {
  Pinger& pinger;
  ProbeResult& r;
  int timeout_ms;
  uint16_t seq = 0;
  uint32_t local_limit = 0;  // smallest size refused locally (EMSGSIZE)
  double max_rtt = 0;

  // `tries` echoes of one size sent together (a lost size costs one timeout, not `tries`): the
  // size passes when any is answered.
  SizeVerdict test(uint32_t size, int tries) {
    const uint16_t first = seq;
    double at = now_ms();
    int in_flight = 0;
    for (int t = 0; t < tries; ++t) {
      int e = pinger.send(seq++, size);
      if (e == EMSGSIZE) {
        if (!local_limit || size < local_limit) local_limit = size;
        return SizeVerdict::local_refused;
      }
      ++r.sent;
      if (e != 0)
        ++r.errors;
      else
        ++in_flight;
    }
    auto ours = [&](uint16_t s) { return static_cast<uint16_t>(s - first) < tries; };
    double deadline = at + timeout_ms;
    bool ok = false, frag = false;
    while (in_flight > 0 && now_ms() < deadline) {
      for (const auto& ev : pinger.wait(static_cast<int>(deadline - now_ms()) + 1)) {
        if (!ours(ev.seq)) continue;
        --in_flight;
        if (ev.type == PingEvent::reply) {
          ++r.received;
          if (!ok) max_rtt = std::max(max_rtt, ev.at_ms - at);
          ok = true;
        } else {
          ++r.errors;
          if (ev.type == PingEvent::frag_needed) {
            frag = true;
            r.frag_needed_seen = true;
            r.frag_needed_mtu = ev.mtu;
          }
        }
      }
      if (ok) break;  // stragglers of this size are ignored by seq
    }
    if (ok) return SizeVerdict::ok;
    r.timeouts += static_cast<uint64_t>(std::max(in_flight, 0));
    return frag ? SizeVerdict::frag_needed : SizeVerdict::lost;
  }

  // A silent size is tried again with twice the echoes before it counts as lost: under 30%
  // random loss, 3 lost echoes happen 2.7% of the time (a ladder of ten sizes would then show a
  // false black hole one run in four); 9 lost echoes happen 0.002% of the time.
  SizeVerdict verdict(uint32_t size, int tries) {
    SizeVerdict v = test(size, tries);
    return v == SizeVerdict::lost ? test(size, 2 * tries) : v;
  }
};

std::vector<uint32_t> auto_sizes(uint32_t upper) {
  std::vector<uint32_t> v;
  for (uint32_t s : {64u, 128u, 256u, 512u, 576u, 1024u, 1280u, 1400u, 1472u, 1500u, 2048u, 4096u,
                     9000u, 16384u, 65535u})
    if (s < upper) v.push_back(s);
  v.push_back(upper);
  return v;
}

}  // namespace

ProbeResult probe_mtu(const ProbePlan& plan) {
  ProbeResult r;
  r.kind = "mtu";
  r.target = plan.host;
  r.source_netns = plan.source_netns;
  sockaddr_in dst = probe::make_addr(plan.host, 0);
  probe::LocalPath lp = probe::local_path_to(dst);
  r.local_ifname = lp.ifname;
  r.local_mtu = lp.if_mtu;
  r.route_mtu = lp.route_mtu;
  std::string err;
  auto pinger = Pinger::open(dst, true, err);
  if (!pinger) {
    r.detail = err;
    return r;
  }
  uint32_t upper = lp.if_mtu ? lp.if_mtu : (lp.route_mtu ? lp.route_mtu : 1500);
  upper = std::clamp<uint32_t>(upper, 28, 65535);
  std::vector<uint32_t> sizes = plan.sizes.empty() ? auto_sizes(upper) : plan.sizes;
  // Three tries per size: with 30% random loss a good size still fails only 2.7% of the time.
  const int tries = 3;
  Sweep sw{*pinger, r, plan.timeout_ms};
  uint32_t max_ok = 0, min_failed = 0;
  bool ascending_stopped = false;
  for (uint32_t s : sizes) {
    SizeVerdict v = sw.verdict(s, tries);
    if (v == SizeVerdict::local_refused) break;
    if (v == SizeVerdict::ok) {
      max_ok = std::max(max_ok, s);
      // The answer time of good sizes bounds how long a lost one needs to be waited for.
      sw.timeout_ms = std::clamp(static_cast<int>(sw.max_rtt * 10) + 100, 200, plan.timeout_ms);
      continue;
    }
    if (!min_failed || s < min_failed) min_failed = s;
    if (plan.sizes.empty()) {
      ascending_stopped = true;
      break;
    }
  }
  // Bisection between the largest size that passed and the smallest that did not (auto only).
  if (ascending_stopped && max_ok > 0) {
    uint32_t lo = max_ok, hi = min_failed;
    while (hi - lo > 1 && r.sent < 200) {
      uint32_t mid = lo + (hi - lo) / 2;
      SizeVerdict v = sw.verdict(mid, tries);
      if (v == SizeVerdict::ok)
        lo = mid;
      else
        hi = mid;
    }
    max_ok = lo;
    min_failed = hi;
  }
  r.max_ok_size = max_ok;
  r.min_failed_size = min_failed;
  finish_result(r, {});
  std::string d = "DF echo sweep";
  d += pinger->ping_socket() ? " (ping socket)" : " (raw socket)";
  if (max_ok)
    d += ": largest answered " + std::to_string(max_ok) + " bytes";
  else
    d += ": no size answered (ICMP echo blocked or path down)";
  if (min_failed) d += ", smallest lost " + std::to_string(min_failed) + " bytes";
  if (!lp.ifname.empty()) d += "; local " + lp.ifname + " mtu " + std::to_string(lp.if_mtu);
  if (lp.route_mtu) d += ", route mtu " + std::to_string(lp.route_mtu);
  if (sw.local_limit) d += "; sizes from " + std::to_string(sw.local_limit) + " refused locally";
  d += r.frag_needed_seen ? "; ICMP frag-needed seen, mtu " + std::to_string(r.frag_needed_mtu)
                          : "; no ICMP frag-needed came back";
  if (sw.max_rtt > 0) d += ", max rtt " + fmt_ms(sw.max_rtt) + " ms";
  r.detail = d;
  return r;
}

}  // namespace pktloss
