// Device-level loss: drop/error/overrun counters of links and MTUs far below their peers'.
//
// What an SRE wants: counters that MOVED while we watched, on a real interface. Lifetime totals
// (one snapshot) are shown as info only and only when they are a meaningful share of traffic;
// loopback counters are only looked at when they move in the window.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>

#include "model/finding_kind.h"
#include "rules/evidence.h"
#include "rules/identity.h"
#include "rules/netns_prefix.h"
#include "rules/place.h"
#include "rules/ring_counters.h"
#include "rules/rule_families.h"

namespace pktloss {
namespace {

const CounterMap kEmpty;
const LinkStats kNoStats;

bool is_loopback(const Link& l) {
  return l.name == "lo";
}

// The earlier snapshot's links by name, built once per namespace: a linear search per link and
// rule made a windowed evaluation of 10,000 links quadratic.
class BeforeLinks {
 public:
  explicit BeforeLinks(const NetnsSnapshot* ns) {
    if (!ns) return;
    by_name_.reserve(ns->links.size());
    for (const auto& b : ns->links) by_name_.emplace(b.name, &b);  // the first of a name wins
  }
  // A link deleted and re-created under the same name is a new link (counters from zero).
  const Link* find(const Link& l) const {
    auto it = by_name_.find(l.name);
    return it == by_name_.end() || !same_link(*it->second, l) ? nullptr : it->second;
  }

 private:
  std::unordered_map<std::string_view, const Link*> by_name_;
};

// Counters to diff against: null for lifetime (one snapshot), the earlier values when windowed
// (a link that appeared in the window counted everything since it appeared).
struct LinkView {
  const Link& link;
  const LinkStats* before = nullptr;       // own stats
  const LinkStats* peer_before = nullptr;  // peer stats, windowed only when seen both times
  bool windowed = false;
  bool peer_usable = false;  // peer counters are meaningful (windowed pair or lifetime)
};

// `b`: the same link in the earlier snapshot, null when none (or no earlier snapshot).
LinkView view_of(const RuleInput& in, const Link& l, const Link* b) {
  LinkView v{l};
  v.windowed = in.windowed();
  if (v.windowed) {
    v.before = b ? &b->stats : &kNoStats;
    // The peer may have been unreadable in one snapshot: no fake deltas from missing stats.
    if (b && b->peer_stats && l.peer_stats) {
      v.peer_before = &*b->peer_stats;
      v.peer_usable = true;
    }
  } else {
    v.peer_usable = l.peer_stats.has_value();
  }
  return v;
}

uint64_t own_moved(const LinkView& v, const std::string& key) {
  return moved(v.before, v.link.stats, key);
}
uint64_t peer_moved(const LinkView& v, const std::string& key) {
  return v.peer_usable ? moved(v.peer_before, *v.link.peer_stats, key) : 0;
}

Evidence own_ev(const LinkView& v, const std::string& key) {
  return counter_evidence("rtnetlink", key, v.before, v.link.stats,
                          fmt::format("{} {}{}", v.link.name, key,
                                      v.windowed ? " (in the window)" : " (lifetime total)"));
}
Evidence peer_ev(const LinkView& v, const std::string& key) {
  Evidence e =
      counter_evidence("rtnetlink", key, v.peer_before, v.link.peer_stats.value_or(kNoStats),
                       fmt::format("peer {} {}{}", v.link.peer_name, key,
                                   v.windowed ? " (in the window)" : " (lifetime total)"));
  e.counter = "peer." + key;
  return e;
}

std::string sysctl_or(const RuleInput& in, const std::string& key) {
  auto it = in.after.sysctls.find(key);
  return it == in.after.sysctls.end() ? "" : it->second;
}

// ---- link.mtu_low -------------------------------------------------------------------------

bool far_below(uint32_t mtu, uint32_t ref, const RuleConfig& c) {
  return mtu > 0 && ref > 0 && static_cast<double>(mtu) < c.mtu_low_ratio * ref;
}

bool namespace_observed(const RuleInput& in, const std::string& name) {
  for (const auto& ns : in.snapshot_after.namespaces)
    if (ns.name == name) return true;
  return false;
}

struct MtuCase {
  std::string dev;      // the interface whose MTU is low
  std::string dev_ns;   // its namespace ("" when unknown)
  uint32_t mtu = 0;     // its MTU
  uint32_t target = 0;  // the MTU it should have (0: nothing to compare with)
  std::string against;  // what we compared with, for the evidence
};

// The low MTU is on this link: compare with its peer, its master, and (for an absurdly low MTU)
// the other interfaces of the namespace.
std::optional<MtuCase> self_low(const RuleInput& in, const Link& l) {
  const RuleConfig& c = in.config;
  MtuCase m{l.name, in.after.name, l.mtu, 0, ""};
  // Only a veth peer is a symmetric partner: a vlan/macvlan/tunnel below its lower device's
  // MTU is normal (it cannot be above it).
  if (l.kind == "veth" && far_below(l.mtu, l.peer_mtu, c)) {
    m.target = l.peer_mtu;
    m.against = fmt::format("peer {} mtu {}", l.peer_name, l.peer_mtu);
  }
  if (far_below(l.mtu, l.master_mtu, c) && l.master_mtu > m.target) {
    m.target = l.master_mtu;
    m.against = fmt::format("master {} mtu {}", l.master_name, l.master_mtu);
  }
  // Sibling ports of the same bridge/bond: a port's low MTU drags a bridge's own MTU down with
  // it, so the master alone is not a reliable reference.
  if (l.master_ifindex > 0) {
    for (const auto& o : in.after.links)
      if (&o != &l && o.master_ifindex == l.master_ifindex && far_below(l.mtu, o.mtu, c) &&
          o.mtu > m.target) {
        m.target = o.mtu;
        m.against = fmt::format("{} mtu {} on the same {}", o.name, o.mtu,
                                l.master_name.empty() ? "master" : l.master_name);
      }
  }
  if (m.target == 0 && l.mtu > 0 && l.mtu < c.mtu_absolute_low) {
    for (const auto& o : in.after.links)
      if (&o != &l && !is_loopback(o) && o.mtu > m.target && o.mtu >= c.mtu_absolute_low) {
        m.target = o.mtu;
        m.against = fmt::format("{} mtu {} in the same namespace", o.name, o.mtu);
      }
    if (m.against.empty())
      m.against = fmt::format("the IPv4 minimum datagram size {}", c.mtu_absolute_low);
  }
  if (m.against.empty()) return std::nullopt;
  return m;
}

// The low MTU is on this veth's peer in another namespace that is not being looked at: report
// it from here (when the peer's namespace is observed too, it reports itself).
std::optional<MtuCase> peer_low(const RuleInput& in, const Link& l) {
  const RuleConfig& c = in.config;
  if (l.kind != "veth" || l.peer_mtu == 0 || l.link_netnsid < 0) return std::nullopt;
  if (!l.peer_netns.empty() && namespace_observed(in, l.peer_netns)) return std::nullopt;
  if (!far_below(l.peer_mtu, l.mtu, c) && l.peer_mtu >= c.mtu_absolute_low) return std::nullopt;
  return MtuCase{l.peer_name, l.peer_netns, l.peer_mtu, l.mtu,
                 fmt::format("{} mtu {} (this end of the veth)", l.name, l.mtu)};
}

bool mtu_low(const RuleInput& in, const Link& l, const Link* b, Findings& out) {
  if (is_loopback(l) || !l.admin_up) return false;
  std::optional<MtuCase> mc = self_low(in, l);
  bool on_peer = false;
  if (!mc) {
    mc = peer_low(in, l);
    on_peer = mc.has_value();
  }
  if (!mc) return false;
  LinkView v = view_of(in, l, b);

  Finding f;
  f.id = kinds::link_mtu_low.id;
  f.layer = Layer::link;
  f.netns = in.after.name;
  f.object = on_peer ? fmt::format("{} (peer of {}{})", mc->dev, l.name,
                                   mc->dev_ns.empty() ? "" : ", netns " + mc->dev_ns)
                     : l.name;
  f.place = device_place(mc->dev, mc->mtu, mc->dev_ns == in.after.name ? "" : mc->dev_ns);
  f.evidence.push_back(fact_evidence("rtnetlink", fmt::format("{} mtu {}", mc->dev, mc->mtu)));
  f.evidence.push_back(fact_evidence("rtnetlink", "compared with " + mc->against));
  if (!on_peer && l.peer_mtu && mc->against.rfind("peer", 0) != 0)
    f.evidence.push_back(
        fact_evidence("rtnetlink", fmt::format("peer {} mtu {}", l.peer_name, l.peer_mtu)));

  // A frame too big for the receiving end is dropped by the SENDING veth (tx_dropped) and shows
  // as the receiver's rx_dropped (measured, see collect/links.cpp): look at both ends.
  uint64_t own_tx = own_moved(v, "tx_dropped"), own_rx = own_moved(v, "rx_dropped");
  uint64_t peer_tx = peer_moved(v, "tx_dropped"), peer_rx = peer_moved(v, "rx_dropped");
  if (own_rx) f.evidence.push_back(own_ev(v, "rx_dropped"));
  if (own_tx) f.evidence.push_back(own_ev(v, "tx_dropped"));
  if (peer_tx) f.evidence.push_back(peer_ev(v, "tx_dropped"));
  if (peer_rx) f.evidence.push_back(peer_ev(v, "rx_dropped"));
  bool drops = own_tx || own_rx || peer_tx || peer_rx;

  f.moved_in_window = v.windowed && drops;
  f.severity = f.moved_in_window ? Severity::critical : Severity::warning;
  f.confidence = f.moved_in_window ? 0.95 : 0.7;
  f.volume = std::max(own_tx, peer_rx) + std::max(own_rx, peer_tx);
  f.summary = fmt::format("{} has mtu {}, far below {}{}", mc->dev, mc->mtu, mc->against,
                          drops ? fmt::format("; {} frames dropped{}", f.volume,
                                              v.windowed ? " in the window" : " (lifetime)")
                                : "");
  f.explanation =
      "A frame larger than the receiving device's MTU is dropped without any ICMP error (on a "
      "veth the sender counts it as tx_dropped, the receiver as rx_dropped): small packets pass, "
      "large transfers stall.";
  if (mc->target) {
    Argv cmd = {"ip", "link", "set", "dev", mc->dev, "mtu", std::to_string(mc->target)};
    if (!on_peer) {
      f.fix.push_back(command_in_netns(in.after.name, cmd));
    } else if (!mc->dev_ns.empty()) {
      f.fix.push_back(command_in_netns(mc->dev_ns, cmd));
    } else {
      // The peer's namespace has no name we know: a bare command would hit a device of the same
      // name HERE, so say where to run it instead of guessing.
      f.fix.push_back("# " +
                      shell_comment(fmt::format("in the namespace {} knows as netnsid {}: {}",
                                                in.after.name, l.link_netnsid, command_line(cmd))));
    }
  }
  out.push_back(std::move(f));
  return true;
}

// ---- counter rules ------------------------------------------------------------------------

struct CounterRule {
  const char* id;
  std::vector<std::string> keys;  // first is the headline counter
  const char* packets_key;        // share denominator
  const char* what;
  const char* explanation;
};

std::vector<std::string> counter_fix(const RuleInput& in, const Link& l, const std::string& id) {
  const std::string& ns = in.after.name;
  std::vector<std::string> fix;
  std::string backlog = sysctl_or(in, "net.core.netdev_max_backlog");
  if (id == kinds::link_rx_dropped.id || (id == kinds::link_tx_dropped.id && l.kind == "veth")) {
    // veth hands frames to the peer's backlog queue; a full backlog drops there.
    if (!backlog.empty()) {
      try {
        fix.push_back(command_line(
            {"sysctl", "-w",
             "net.core.netdev_max_backlog=" + std::to_string(std::stoull(backlog) * 2)}));
      } catch (const std::exception&) {
      }
    }
  } else if (id == kinds::link_tx_dropped.id && l.txqlen > 0) {
    fix.push_back(command_in_netns(
        ns, {"ip", "link", "set", "dev", l.name, "txqueuelen", std::to_string(l.txqlen * 2)}));
  } else if (id == kinds::link_ring_full.id && l.ring && l.ring->rx < l.ring->rx_max) {
    fix.push_back(
        command_in_netns(ns, {"ethtool", "-G", l.name, "rx", std::to_string(l.ring->rx_max)}));
  }
  fix.push_back(command_in_netns(ns, {"ip", "-s", "-s", "link", "show", "dev", l.name}));
  return fix;
}

// Driver statistics that mean "the NIC had no buffer for a frame" (names vary by driver; see
// rules/ring_counters.h). A driver copy of a stats64 field already read (rx_missed_errors) would
// be the same evidence twice.
std::vector<std::string> ring_driver_keys(const Link& l, const std::vector<std::string>& stats64) {
  std::vector<std::string> keys;
  if (!l.ring) return keys;  // virtual devices (veth's xdp queue drops) have no ring to fill
  for (const auto& [name, value] : l.driver_stats)
    if (is_ring_full_counter(name) &&
        std::find(stats64.begin(), stats64.end(), name) == stats64.end())
      keys.push_back(name);
  return keys;
}

void counter_rule(const RuleInput& in, const Link& l, const Link* b, const CounterRule& r,
                  Findings& out) {
  LinkView v = view_of(in, l, b);
  if (is_loopback(l) && !v.windowed) return;  // lo's lifetime counts are noise
  bool ring = std::string(r.id) == kinds::link_ring_full.id;
  std::vector<Evidence> ev;
  uint64_t total = 0;
  for (const auto& k : r.keys) {
    uint64_t d = own_moved(v, k);
    if (d == 0) continue;
    total = std::max(total, d);  // sub-counters overlap their parent; do not add them up
    ev.push_back(own_ev(v, k));
  }
  if (ring) {
    const CounterMap* db = v.windowed ? (b ? &b->driver_stats : &kEmpty) : nullptr;
    for (const auto& k : ring_driver_keys(l, r.keys)) {
      uint64_t d = moved(db, l.driver_stats, k);
      if (d == 0) continue;
      total = std::max(total, d);
      ev.push_back(counter_evidence("ethtool", k, db, l.driver_stats, l.name + " driver " + k));
    }
  }
  if (ev.empty()) return;
  uint64_t packets = own_moved(v, r.packets_key);
  double share =
      static_cast<double>(total) / static_cast<double>(std::max<uint64_t>(1, packets + total));
  Severity sev;
  if (v.windowed) {
    if (total < std::max<uint64_t>(1, in.config.min_window_events)) return;
    if (share >= 0.01 && total >= 10 && !is_loopback(l))
      sev = Severity::critical;
    else if (total >= in.config.link_warning_min)
      sev = Severity::warning;
    else
      sev = Severity::info;
  } else {
    // Lifetime: only a meaningful share of the traffic, and never more than info.
    if (total < 100 || share < 0.001) return;
    sev = Severity::info;
  }
  Finding f;
  f.id = r.id;
  f.layer = Layer::link;
  f.severity = sev;
  f.confidence = v.windowed ? 0.8 : 0.4;
  f.netns = in.after.name;
  f.object = l.name;
  f.place = device_place(l.name);
  f.summary = fmt::format("{} {} {} packets ({:.2f}% of {}){}", l.name, r.what, total, share * 100,
                          r.packets_key, v.windowed ? " in the window" : " since it came up");
  f.evidence = std::move(ev);
  f.explanation = r.explanation;
  f.fix = counter_fix(in, l, r.id);
  f.moved_in_window = v.windowed;
  f.volume = total;
  out.push_back(std::move(f));
}

const std::vector<CounterRule>& counter_rules() {
  static const std::vector<CounterRule> rules = {
      {kinds::link_rx_dropped.id,
       {"rx_dropped"},
       "rx_packets",
       "dropped on receive",
       "The kernel dropped received frames before any protocol saw them: backlog full, no "
       "protocol handler, or a frame too big for this device (see link.mtu_low)."},
      {kinds::link_tx_dropped.id,
       {"tx_dropped"},
       "tx_packets",
       "dropped on transmit",
       "Frames were dropped on the way out: the device queue was full, or (veth) the peer "
       "refused them (peer down, frame above the peer's MTU, peer backlog full)."},
      {kinds::link_rx_errors.id,
       {"rx_errors", "rx_crc_errors", "rx_frame_errors", "rx_length_errors"},
       "rx_packets",
       "received with errors",
       "Frames arrived damaged (CRC/framing/length): cabling, transceiver, duplex mismatch or "
       "a faulty NIC/driver."},
      {kinds::link_rx_overrun.id,
       {"rx_over_errors"},
       "rx_packets",
       "overran its receive buffer",
       "The NIC received faster than the host drained it and overwrote frames."},
      {kinds::link_ring_full.id,
       {"rx_missed_errors", "rx_fifo_errors"},
       "rx_packets",
       "missed frames (ring buffer full)",
       "The NIC's receive ring had no free descriptor, so frames were discarded in hardware: "
       "the ring is too small or interrupts/NAPI polling fall behind."},
  };
  return rules;
}

}  // namespace

void link_rules(const RuleInput& in, Findings& out) {
  const BeforeLinks before(in.before);
  for (const auto& l : in.after.links) {
    const Link* b = before.find(l);
    // A low MTU explains this link's drop counters; do not report them twice.
    // The peer's low MTU explains them too, even when the finding is reported from the peer's
    // own namespace (both ends observed) or the peer shares this namespace.
    bool explained =
        mtu_low(in, l, b, out) ||
        (!is_loopback(l) && l.kind == "veth" && l.peer_mtu > 0 &&
         (far_below(l.peer_mtu, l.mtu, in.config) || l.peer_mtu < in.config.mtu_absolute_low));
    for (const auto& r : counter_rules()) {
      std::string id = r.id;
      if (explained && (id == kinds::link_rx_dropped.id || id == kinds::link_tx_dropped.id))
        continue;
      counter_rule(in, l, b, r, out);
    }
  }
}

}  // namespace pktloss
