// qdisc.filter_drop: a tc filter's action dropped packets: "action drop" (gact, also its random
// variant) or a policer over its rate ("police ... drop", the classic silent ingress dropper).
// The kernel counts these only in the action's own statistics, never in the qdisc's or device's.
#include <fmt/format.h>

#include <algorithm>

#include "model/finding_kind.h"
#include "rules/evidence.h"
#include "rules/netns_prefix.h"
#include "rules/place.h"
#include "rules/qdisc_format.h"
#include "rules/rule_families.h"

namespace pktloss {
namespace {

constexpr uint32_t kIngressHook = 0xFFFFFFF2;
constexpr uint32_t kEgressHook = 0xFFFFFFF3;

// "ingress", "egress" or "parent 1:" as `tc filter ... dev X <here>` takes it.
std::string hook_of(const TcFilter& f) {
  if (f.parent == kIngressHook || f.parent == 0xFFFF0000u) return "ingress";
  if (f.parent == kEgressHook) return "egress";
  return "parent " + tc_handle(f.parent);
}

std::string action_text(const TcAction& a) {
  std::string s = "action " + a.kind;
  if (a.kind == "police") {
    s += " rate " + tc_rate(static_cast<double>(a.police_rate_bps)) +
         fmt::format(" burst {}b", a.police_burst_bytes);
    if (a.police_mtu) s += fmt::format(" mtu {}b", a.police_mtu);
    s += " conform-exceed " + a.verdict;
    if (!a.police_conform.empty()) s += "/" + a.police_conform;
  } else if (!a.verdict.empty()) {
    s += " " + a.verdict;
    if (!a.random_type.empty())
      s += fmt::format(" random {} {} {}", a.random_type, a.random_verdict, a.random_value);
  }
  return s;
}

// The same action in the earlier snapshot: device, hook, prio, handle, kind, action index.
const TcAction* find_before(const RuleInput& in, const TcFilter& f, const TcAction& a) {
  if (!in.before) return nullptr;
  for (const auto& b : in.before->tc_filters)
    if (b.ifindex == f.ifindex && b.parent == f.parent && b.prio == f.prio &&
        b.handle == f.handle && b.kind == f.kind)
      for (const auto& ba : b.actions)
        if (ba.kind == a.kind && ba.index == a.index) return &ba;
  return nullptr;
}

void filter_drop(const RuleInput& in, const TcFilter& f, const TcAction& a, Findings& out) {
  const TcAction* b = find_before(in, f, a);
  bool windowed = in.windowed();
  TcAction zero;  // windowed but new: everything it counted happened in the window
  const TcAction& base = b ? *b : zero;
  CounterDelta drops =
      windowed ? counter_delta(base.drops, a.drops) : CounterDelta{0, a.drops, a.drops, false};
  CounterDelta packets = windowed ? counter_delta(base.packets, a.packets)
                                  : CounterDelta{0, a.packets, a.packets, false};
  CounterDelta over = windowed ? counter_delta(base.overlimits, a.overlimits)
                               : CounterDelta{0, a.overlimits, a.overlimits, false};
  if (drops.delta < std::max<uint64_t>(1, in.config.min_window_events)) return;
  double share = static_cast<double>(drops.delta) /
                 static_cast<double>(std::max<uint64_t>(drops.delta, packets.delta));

  std::string hook = hook_of(f);
  std::string filter_text = fmt::format("tc filter: dev {} {} pref {} {} {}", f.dev, hook, f.prio,
                                        f.kind, action_text(a));
  Finding k;
  k.id = kinds::qdisc_filter_drop.id;
  k.layer = Layer::qdisc;
  k.severity = !windowed                                       ? Severity::info
               : share >= in.config.filter_drop_critical_share ? Severity::critical
                                                               : Severity::warning;
  k.confidence = windowed ? 0.95 : 0.5;
  k.netns = in.after.name;
  k.object = fmt::format("filter {} pref {} dev {} {}", f.kind, f.prio, f.dev, hook);
  k.place = device_place(f.dev);
  k.place.direction = hook == "ingress" ? "ingress" : "egress";
  bool police = a.kind == "police";
  k.summary = fmt::format("{} {} filter on {} dropped {} of {} packets ({:.1f}%){}",
                          police ? "a policer in the" : "an action drop in the", hook, f.dev,
                          drops.delta, std::max(drops.delta, packets.delta), share * 100,
                          windowed ? " in the window" : " since it was created");
  k.evidence.push_back(fact_evidence("rtnetlink", filter_text));
  auto ev = [&](const char* name, const CounterDelta& d) {
    return value_evidence("rtnetlink", name,
                          windowed ? std::optional<uint64_t>(d.before) : std::nullopt, d.after,
                          windowed ? "the action's counters, in the window"
                                   : "the action's counters, since it was created");
  };
  k.evidence.push_back(ev("drops", drops));
  k.evidence.push_back(ev("packets", packets));
  if (police) k.evidence.push_back(ev("overlimits", over));
  k.explanation =
      police
          ? "A tc policer drops every packet above its rate and burst; neither the qdisc nor "
            "the device counts these drops, only the action does."
          : "A tc filter's action discards the packets it matches (gact drop, or its random "
            "variant); neither the qdisc nor the device counts these drops, only the action does.";
  Argv where = Argv{"tc", "filter", "del", "dev", f.dev} + words(hook) +
               Argv{"pref", std::to_string(f.prio)};
  k.fix.push_back(command_in_netns(in.after.name, where));
  k.fix.push_back(command_in_netns(in.after.name,
                                   Argv{"tc", "-s", "filter", "show", "dev", f.dev} + words(hook)));
  k.moved_in_window = windowed;
  k.volume = drops.delta;
  out.push_back(std::move(k));
}

}  // namespace

void tc_filter_rules(const RuleInput& in, Findings& out) {
  for (const auto& f : in.after.tc_filters)
    for (const auto& a : f.actions) filter_drop(in, f, a, out);
}

}  // namespace pktloss
