// qdisc.netem_loss: netem configured to lose/corrupt/duplicate packets (a fault injector left on).
// qdisc.drops: any qdisc dropping (tbf/pfifo/fq_codel limits) or shaping (overlimits).
#include <fmt/format.h>
#include <linux/pkt_sched.h>

#include <algorithm>
#include <cmath>

#include "model/finding_kind.h"
#include "rules/evidence.h"
#include "rules/identity.h"
#include "rules/netns_prefix.h"
#include "rules/place.h"
#include "rules/qdisc_format.h"
#include "rules/rule_families.h"

namespace pktloss {
namespace {

double opt(const Qdisc& q, const char* key) {
  auto it = q.options.find(key);
  return it == q.options.end() ? 0 : it->second;
}

// A loss model (4-state or Gilbert-Elliott) is there to lose packets, whatever its numbers.
bool injects_loss(const Qdisc& q) {
  return q.kind == "netem" && (opt(q, "loss_pct") > 0 || opt(q, "corrupt_pct") > 0 ||
                               opt(q, "duplicate_pct") > 0 || opt(q, "loss_model") > 0);
}

// The same qdisc in the earlier snapshot: device, handle, parent and kind all equal (a qdisc
// replaced in the window is a different one and its counters start from zero).
const Qdisc* find_before(const RuleInput& in, const Qdisc& q) {
  if (!in.before) return nullptr;
  for (const auto& b : in.before->qdiscs)
    if (same_qdisc_device(b, q) && b.handle == q.handle && b.parent == q.parent && b.kind == q.kind)
      return &b;
  return nullptr;
}

struct Moves {
  CounterDelta drops, overlimits, packets;
  bool windowed = false;
};

Moves moves_of(const RuleInput& in, const Qdisc& q) {
  Moves m;
  const Qdisc* b = find_before(in, q);
  m.windowed = in.windowed();
  // Windowed but the qdisc is new: everything it counted happened in the window.
  QdiscStats zero;
  const QdiscStats& bs = b ? b->stats : zero;
  if (m.windowed) {
    m.drops = counter_delta(bs.drops, q.stats.drops);
    m.overlimits = counter_delta(bs.overlimits, q.stats.overlimits);
    m.packets = counter_delta(bs.packets, q.stats.packets);
  } else {
    m.drops = {0, q.stats.drops, q.stats.drops, false};
    m.overlimits = {0, q.stats.overlimits, q.stats.overlimits, false};
    m.packets = {0, q.stats.packets, q.stats.packets, false};
  }
  return m;
}

Evidence stat_evidence(const Moves& m, const char* name, const CounterDelta& d) {
  return value_evidence("rtnetlink", name,
                        m.windowed ? std::optional<uint64_t>(d.before) : std::nullopt, d.after,
                        m.windowed ? "in the window" : "since the qdisc was created");
}

std::string object_of(const Qdisc& q) {
  return fmt::format("qdisc {} {} dev {} {}", q.kind, tc_handle(q.handle), q.dev, tc_parent(q));
}

// "root" or "parent 1:1 handle 10:" for tc change/del.
std::string where(const Qdisc& q) {
  if (q.is_root) return "root";
  return tc_parent(q) + " handle " + tc_handle(q.handle);
}

uint32_t dev_mtu(const RuleInput& in, const std::string& dev) {
  for (const auto& l : in.after.links)
    if (l.name == dev) return l.mtu;
  return 0;
}

void netem_loss(const RuleInput& in, const Qdisc& q, Findings& out) {
  Moves m = moves_of(in, q);
  std::string text = format_qdisc_options(q);
  Finding f;
  f.id = kinds::qdisc_netem_loss.id;
  f.layer = Layer::qdisc;
  f.severity = Severity::critical;
  f.confidence = 0.95;
  f.netns = in.after.name;
  f.object = object_of(q);
  f.place = qdisc_place(q);
  f.summary = fmt::format("netem on {} is configured to damage traffic: {}", q.dev, text);
  f.evidence.push_back(fact_evidence("rtnetlink", "tc qdisc: " + text));
  f.evidence.push_back(stat_evidence(m, "drops", m.drops));
  f.evidence.push_back(stat_evidence(m, "packets", m.packets));
  f.explanation =
      "A netem qdisc drops, corrupts or duplicates a random share of every packet leaving this "
      "device by design; it is a test fault injector, usually left behind.";
  const std::string& ns = in.after.name;
  f.fix.push_back(command_in_netns(ns, Argv{"tc", "qdisc", "del", "dev", q.dev} + words(where(q))));
  std::string keep = netem_without_loss(q);
  if (!keep.empty())
    f.fix.push_back(command_in_netns(
        ns, Argv{"tc", "qdisc", "change", "dev", q.dev} + words(where(q)) + words(keep)));
  f.moved_in_window = m.windowed && (m.drops.delta > 0 || m.packets.delta > 0);
  // netem counts the packets it loses as drops; corrupted/duplicated ones are still sent.
  f.volume = std::max<uint64_t>(
      m.drops.delta,
      static_cast<uint64_t>(std::llround(m.packets.delta * opt(q, "loss_pct") / 100.0)));
  out.push_back(std::move(f));
}

// A sane larger setting, computed from the qdisc's own options and the device MTU.
std::string drops_fix(const RuleInput& in, const Qdisc& q) {
  const std::string& ns = in.after.name;
  Argv change = Argv{"tc", "qdisc", "change", "dev", q.dev} + words(where(q));
  auto head = [&](const std::string& opts) { return command_in_netns(ns, change + words(opts)); };
  if (q.kind == "tbf" && opt(q, "rate_bps") > 0) {
    double bytes_per_s = opt(q, "rate_bps") / 8.0;
    double frame = dev_mtu(in, q.dev) + 14.0;
    // burst: at least 10 ms of the rate and two full frames; limit: burst plus 50 ms of queue.
    double burst = std::max({opt(q, "burst_bytes") * 2, bytes_per_s / 100, frame * 2});
    double limit = std::max(opt(q, "limit_bytes") * 2, burst + bytes_per_s * 0.05);
    return head(fmt::format("tbf rate {} burst {:.0f}b limit {:.0f}b", tc_rate(opt(q, "rate_bps")),
                            std::ceil(burst), std::ceil(limit)));
  }
  if ((q.kind == "pfifo" || q.kind == "fq_codel") && opt(q, "limit_pkts") > 0)
    return head(fmt::format("{} limit {:.0f}", q.kind, opt(q, "limit_pkts") * 2));
  if (q.kind == "bfifo" && opt(q, "limit_bytes") > 0)
    return head(fmt::format("bfifo limit {:.0f}b", opt(q, "limit_bytes") * 2));
  if (q.kind == "pfifo_fast") {
    // pfifo_fast's queue length is the device's txqueuelen.
    for (const auto& l : in.after.links)
      if (l.name == q.dev && l.txqlen > 0)
        return command_in_netns(
            ns, {"ip", "link", "set", "dev", q.dev, "txqueuelen", std::to_string(l.txqlen * 2)});
    return "";
  }
  if (q.kind == "netem" && opt(q, "limit_pkts") > 0) {
    Qdisc bigger = q;
    bigger.options["limit_pkts"] = opt(q, "limit_pkts") * 2;
    return head(format_qdisc_options(bigger));
  }
  return "";
}

void drops(const RuleInput& in, const Qdisc& q, const Moves& m, Findings& out) {
  uint64_t min_events = std::max<uint64_t>(1, in.config.min_window_events);
  bool dropping = m.drops.delta >= min_events;
  bool shaping = m.overlimits.delta >= min_events;
  if (!dropping && !shaping) return;
  double share = static_cast<double>(m.drops.delta) /
                 static_cast<double>(std::max<uint64_t>(1, m.drops.delta + m.packets.delta));
  Severity sev;
  if (m.windowed)
    sev = !dropping ? Severity::info : share >= 0.01 ? Severity::critical : Severity::warning;
  else  // lifetime totals: an old burst of drops is worth a look, not an alarm
    sev = (dropping && share >= 0.01 && m.drops.delta >= 100) ? Severity::warning : Severity::info;

  std::string text = format_qdisc_options(q);
  Finding f;
  f.id = kinds::qdisc_drops.id;
  f.layer = Layer::qdisc;
  f.severity = sev;
  f.confidence = m.windowed ? 0.9 : 0.5;
  f.netns = in.after.name;
  f.object = object_of(q);
  f.place = qdisc_place(q);
  f.summary = dropping ? fmt::format("{} on {} dropped {} packets ({:.1f}% of its traffic){}",
                                     q.kind, q.dev, m.drops.delta, share * 100,
                                     m.windowed ? " in the window" : " since it was created")
                       : fmt::format("{} on {} is over its limit {} times (shaping, not dropping)",
                                     q.kind, q.dev, m.overlimits.delta);
  f.evidence.push_back(fact_evidence("rtnetlink", "tc qdisc: " + text));
  f.evidence.push_back(stat_evidence(m, "drops", m.drops));
  f.evidence.push_back(stat_evidence(m, "overlimits", m.overlimits));
  f.evidence.push_back(stat_evidence(m, "packets", m.packets));
  f.explanation =
      q.kind == "tbf"
          ? "The token bucket drops what exceeds its queue limit when traffic arrives faster than "
            "its rate: a burst larger than 'burst' waits, and past 'limit' it is dropped."
          : "The qdisc queue overflowed (or its AQM dropped) because packets arrived faster than "
            "the device sent them.";
  std::string fix = drops_fix(in, q);
  if (!fix.empty()) f.fix.push_back(fix);
  f.fix.push_back(command_in_netns(in.after.name, {"tc", "-s", "qdisc", "show", "dev", q.dev}));
  f.moved_in_window = m.windowed && dropping;
  f.volume = m.drops.delta;
  out.push_back(std::move(f));
}

}  // namespace

void qdisc_rules(const RuleInput& in, Findings& out) {
  for (const auto& q : in.after.qdiscs) {
    if (injects_loss(q)) {
      netem_loss(in, q, out);
      continue;
    }
    Moves m = moves_of(in, q);
    if (m.drops.delta == 0 && m.overlimits.delta == 0) continue;
    // Classful qdiscs (htb, prio, mq) count their children's drops too, at every level of a
    // tree: name the deepest qdisc that actually dropped, not each of its ancestors again.
    bool child_explains = false;
    for (const auto& c : in.after.qdiscs) {
      if (&c == &q || c.dev != q.dev || c.is_root || c.parent == TC_H_INGRESS) continue;
      bool below = q.is_root || ((q.handle & 0xffff0000u) != 0 &&
                                 (c.parent & 0xffff0000u) == (q.handle & 0xffff0000u));
      if (below && moves_of(in, c).drops.delta > 0) child_explains = true;
    }
    if (child_explains) continue;
    drops(in, q, m, out);
  }
}

}  // namespace pktloss
