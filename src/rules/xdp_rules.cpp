// link.xdp_program: an XDP program on a device drops frames that no device counter shows.
//
// Measured on this kernel (6.18), 101 frames sent through a veth pair whose far end runs an
// XDP_DROP program: in native (drv) mode the receiver's rx_packets and the sender's tx_packets
// both counted all 101, rx_dropped stayed 0, Ip.InReceives did not move, the driver's
// rx_queue_0_xdp_drops rose by 101, and kfree_skb fired 101 times with NOT_SPECIFIED in
// veth_xdp_rcv_skb (veth turns the peer's skb into an XDP frame and frees the skb). Generic (skb)
// mode: the same counters, no xdp_drops statistic, kfree_skb NOT_SPECIFIED in do_xdp_generic. On
// a NIC driver's native path the frame never becomes an skb: no kfree_skb at all. So a
// kfree_skb tracer sees XDP drops only as reasonless frees, if at all, and no device counter
// does; what counts them is the driver's xdp_drops statistic where it has one (veth,
// virtio_net: per queue; mlx5 and others: a total), the frames received that never reached IP,
// the tracer's rows at those two locations, and the loss probes see. The program's run count
// (kernel.bpf_stats_enabled) says it ran, not what it returned, so it only supports.
//
// Silent on a healthy pair with an XDP_PASS program: every test below needs loss first.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "model/finding_kind.h"
#include "rules/bpf_program_summary.h"
#include "rules/evidence.h"
#include "rules/identity.h"
#include "rules/netns_prefix.h"
#include "rules/place.h"
#include "rules/rule_families.h"

namespace pktloss {
namespace {

const CounterMap kNoCounters;

const Link* before_link(const RuleInput& in, const Link& l) {
  if (!in.before) return nullptr;
  for (const auto& b : in.before->links)
    if (same_link(b, l)) return &b;
  return nullptr;
}

// The driver's count of XDP drops: per-queue statistics ("rx_queue_0_xdp_drops": veth,
// virtio_net) are summed; otherwise the largest total ("rx_xdp_drop": mlx5, whose per-channel
// copies would count each drop twice if added).
struct DriverDrops {
  uint64_t delta = 0;
  std::vector<std::string> keys;  // the statistics that moved
};

DriverDrops driver_xdp_drops(const CounterMap* before, const CounterMap& after) {
  DriverDrops queues, totals;
  for (const auto& [key, value] : after) {
    if (key.find("xdp_drop") == std::string::npos) continue;
    uint64_t d = moved(before, after, key);
    if (d == 0) continue;
    bool per_queue = key.rfind("rx_queue_", 0) == 0;
    DriverDrops& into = per_queue ? queues : totals;
    into.delta = per_queue ? into.delta + d : std::max(into.delta, d);
    into.keys.push_back(key);
  }
  return queues.keys.empty() ? totals : queues;
}

// Frames the namespace's devices received in the window that IP never saw and no device
// counted as dropped. Only in a namespace where that sum means something: veth devices and
// loopback alone (a container's or a test's), no bridge or bond port (its frames are forwarded,
// not received). A physical NIC is left out: in promiscuous mode (a tcpdump) it receives frames
// for other hosts that IP discards before counting them, and LLDP/STP never reach IP at all.
struct StackGap {
  bool known = false;  // false: no window, or a namespace where the sum means nothing
  uint64_t rx = 0, stack = 0, dropped = 0;
  uint64_t gap() const { return known && rx > stack + dropped ? rx - stack - dropped : 0; }
};

StackGap stack_gap(const RuleInput& in) {
  StackGap g;
  if (!in.before) return g;
  for (const auto& l : in.after.links) {
    bool loopback = l.name == "lo" && l.kind.empty();
    if (l.master_ifindex > 0 || !(loopback || l.kind == "veth")) return g;
    const Link* b = before_link(in, l);
    const LinkStats zero;
    const LinkStats& bs = b ? b->stats : zero;
    g.rx += moved(&bs, l.stats, "rx_packets");
    g.dropped += moved(&bs, l.stats, "rx_dropped");
  }
  for (const char* key : {"Ip.InReceives", "Ip6.InReceives"})
    g.stack += moved(&in.before->snmp, in.after.snmp, key);
  g.known = true;
  return g;
}

// Does a socket of ns listen on the probe target "10.0.0.2:80" ("[fd00::2]:80")?
bool listens_on(const NetnsSnapshot& ns, const std::string& target) {
  auto colon = target.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = target.substr(0, colon);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  unsigned long port = std::strtoul(target.c_str() + colon + 1, nullptr, 10);
  for (const auto& s : ns.sockets)
    if (s.local_port == port && (s.proto != "tcp" || s.state == "LISTEN") &&
        (s.local_addr == host || s.local_addr == "0.0.0.0" || s.local_addr == "::"))
      return true;
  return false;
}

// Probes that lost packets (the application rule's threshold) and went from or to this
// namespace: their path crosses its devices.
std::vector<const ProbeResult*> lossy_probes(const RuleInput& in, bool from_here_only) {
  std::vector<const ProbeResult*> out;
  for (const auto& p : in.obs.probes) {
    if (p.sent == 0 || p.loss_ci_low <= 0 || p.loss < in.config.probe_loss_warning) continue;
    if (p.source_netns == in.after.name || (!from_here_only && listens_on(in.after, p.target)))
      out.push_back(&p);
  }
  return out;
}

// A cause already found in this namespace explains probe loss better than an XDP program that
// may well pass everything (families run before this one, see engine.cpp).
bool other_cause_here(const RuleInput& in, const Findings& out) {
  for (const auto& f : out)
    if (f.netns == in.after.name && f.severity >= Severity::warning &&
        (f.layer == Layer::link || f.layer == Layer::qdisc || f.layer == Layer::netfilter ||
         f.layer == Layer::ip || f.layer == Layer::socket) &&
        f.id != kinds::link_xdp_program.id)
      return true;
  return false;
}

// Tracer rows the attribution gave to XDP on `dev`: reasonless kfree_skb frees after XDP
// (generic mode, veth) and xdp:xdp_exception events (XDP_ABORTED). A frame aborted on veth or in
// generic mode shows in both, so the larger of the two counts, not their sum.
struct Traced {
  uint64_t frees = 0, exceptions = 0;
  std::string exception_reason;  // of the largest exception row
  uint64_t frames() const { return std::max(frees, exceptions); }
};

Traced traced_xdp_drops(const RuleInput& in, const std::string& dev) {
  Traced t;
  uint64_t top = 0;
  for (const auto& r : in.obs.drop_events) {
    if (r.finding_id != kinds::link_xdp_program.id || r.netns != in.after.name || r.dev != dev)
      continue;
    if (r.function == "xdp_exception") {
      t.exceptions += r.packets;
      if (r.packets > top) top = r.packets, t.exception_reason = r.reason;
    } else {
      t.frees += r.packets;
    }
  }
  return t;
}

std::string program_label(const RuleInput& in, const XdpAttachment& x) {
  const BpfProgram* p = find_program(in.after, x.prog_id);
  std::string name = p && p->info_read && !p->name.empty() ? p->name + " " : "";
  return fmt::format("{}(id {}, {} mode)", name, x.prog_id, x.mode);
}

// The detach command of one attachment: each mode is removed by its own keyword.
Argv detach_argv(const std::string& dev, const XdpAttachment& x) {
  const char* kw = x.mode == "skb" ? "xdpgeneric" : x.mode == "hw" ? "xdpoffload" : "xdp";
  return {"ip", "link", "set", "dev", dev, kw, "off"};
}

struct Case {
  const Link& link;
  const std::vector<XdpAttachment>& progs;
  std::string dev;     // the device running the programs
  std::string dev_ns;  // its namespace; "" when unknown (a peer's unnamed namespace)
  bool on_peer = false;
};

void xdp_finding(const RuleInput& in, const Case& c, Findings& out) {
  const RuleConfig& cfg = in.config;
  const Link* b = before_link(in, c.link);
  uint64_t min_events = std::max<uint64_t>(1, cfg.min_window_events);

  DriverDrops dd;
  if (!c.on_peer) dd = driver_xdp_drops(b ? &b->driver_stats : nullptr, c.link.driver_stats);
  Traced traced = c.on_peer ? Traced{} : traced_xdp_drops(in, c.dev);
  StackGap gap = c.on_peer ? StackGap{} : stack_gap(in);
  auto probes = lossy_probes(in, c.on_peer);
  uint64_t probes_lost = 0, probes_sent = 0;
  double worst_loss = 0;
  for (const auto* p : probes) {
    probes_lost += p->sent - std::min(p->sent, p->received);
    probes_sent += p->sent;
    worst_loss = std::max(worst_loss, p->loss);
  }
  std::optional<uint64_t> runs;
  for (const auto& x : c.progs)
    if (auto d = run_cnt_delta(in.before, in.after, x.prog_id)) runs = runs.value_or(0) + *d;

  Finding f;
  std::string what;  // how the loss was seen, for the summary
  if (!in.windowed()) {
    // One snapshot: only the driver's own lifetime count says the program dropped anything.
    if (dd.delta < 100) return;
    f.severity = Severity::info;
    f.confidence = 0.5;
    f.volume = dd.delta;
    what = fmt::format("dropped {} frames since the device came up (driver {})", dd.delta,
                       dd.keys.front());
  } else if (dd.delta >= min_events) {
    f.severity = Severity::critical;
    f.confidence = 0.95;
    f.volume = dd.delta;
    what = fmt::format("dropped {} frames in the window (driver {})", dd.delta,
                       dd.keys.size() == 1 ? dd.keys.front() : "xdp_drops");
  } else if (traced.frames() >= min_events) {
    f.severity = Severity::critical;
    f.confidence = 0.9;
    f.volume = traced.frames();
    what = traced.exceptions >= traced.frees
               ? fmt::format("failed on {} frames in the window ({}, xdp:xdp_exception)",
                             traced.exceptions, traced.exception_reason)
               : fmt::format("dropped {} frames in the window (reasonless kfree_skb after XDP)",
                             traced.frees);
  } else if (gap.gap() >= 10 && gap.gap() * 20 >= gap.rx) {
    double share = static_cast<double>(gap.gap()) / static_cast<double>(gap.rx);
    f.severity = share >= 0.2 ? Severity::critical : Severity::warning;
    f.confidence = runs.value_or(0) > 0 ? 0.85 : 0.7;
    f.volume = gap.gap();
    what = fmt::format(
        "{} of the {} frames this namespace's devices received in the window never reached IP "
        "and no drop counter moved",
        gap.gap(), gap.rx);
  } else if (probes_lost > 0 && !other_cause_here(in, out)) {
    f.severity = worst_loss >= cfg.probe_loss_critical ? Severity::critical : Severity::warning;
    f.confidence = runs.value_or(0) > 0 ? 0.8 : 0.6;
    f.volume = probes_lost;
    what = fmt::format("{} of {} probes through it were lost and no counter explains them",
                       probes_lost, probes_sent);
  } else {
    return;
  }
  if (traced.exceptions > 0 && what.find("xdp_exception") == std::string::npos)
    what += fmt::format("; the tracer saw {} {} (xdp:xdp_exception)", traced.exceptions,
                        traced.exception_reason);

  std::string programs;
  for (const auto& x : c.progs) programs += (programs.empty() ? "" : ", ") + program_label(in, x);
  f.id = kinds::link_xdp_program.id;
  f.layer = Layer::link;
  f.netns = in.after.name;
  f.object = c.on_peer ? fmt::format("{} xdp (peer of {}{})", c.dev, c.link.name,
                                     c.dev_ns.empty() ? "" : ", netns " + c.dev_ns)
                       : c.dev + " xdp";
  f.place = device_place(c.dev, 0, c.dev_ns == in.after.name ? "" : c.dev_ns);
  bool stats = in.after.bpf_stats_enabled;
  f.summary = fmt::format("XDP program {} on {} {}{}", programs, c.dev, what,
                          runs    ? fmt::format("; it ran {} times in the window", *runs)
                          : stats ? ""
                                  : "; its run count is not kept (kernel.bpf_stats_enabled=0)");
  for (const auto& x : c.progs) {
    const BpfProgram* p = find_program(in.after, x.prog_id);
    std::string text = fmt::format("{} xdp {} program id {}", c.dev, x.mode, x.prog_id);
    if (p && p->info_read)
      text += fmt::format(" name {} type {} tag {}", p->name.empty() ? "(none)" : p->name, p->type,
                          p->tag);
    else
      text += " (not readable: see the notes)";
    f.evidence.push_back(fact_evidence("rtnetlink", text));
    const NetnsSnapshot* bn = in.before;
    const BpfProgram* bp = bn ? find_program(*bn, x.prog_id) : nullptr;
    if (p && p->info_read && stats)
      f.evidence.push_back(value_evidence("bpf_stats", "run_cnt",
                                          bp && bp->info_read && bn->bpf_stats_enabled
                                              ? std::optional<uint64_t>(bp->run_cnt)
                                              : std::nullopt,
                                          p->run_cnt, fmt::format("program {} runs", x.prog_id)));
  }
  const CounterMap* db = in.windowed() ? (b ? &b->driver_stats : &kNoCounters) : nullptr;
  for (const auto& k : dd.keys)
    f.evidence.push_back(
        counter_evidence("ethtool", k, db, c.link.driver_stats, c.dev + " driver " + k));
  if (gap.gap() > 0 && f.volume == gap.gap()) {
    f.evidence.push_back(
        value_evidence("rtnetlink", "rx_packets", 0, gap.rx,
                       "frames received by the namespace's devices, in the window"));
    f.evidence.push_back(value_evidence("snmp", "Ip.InReceives+Ip6.InReceives", 0, gap.stack,
                                        "packets IP received, in the window"));
  }
  for (const auto* p : probes)
    f.evidence.push_back(
        fact_evidence("probe", fmt::format("{} probes to {}: {} of {} lost", p->kind, p->target,
                                           p->sent - std::min(p->sent, p->received), p->sent)));
  f.explanation =
      "An XDP program decides on each frame before the network stack sees it. What it drops "
      "(XDP_DROP, XDP_ABORTED) moves no device drop counter and no protocol counter (the frame "
      "even counts in rx_packets), and reaches kfree_skb only as a reasonless free (veth, "
      "generic mode) or not at all (a NIC driver's native mode). The driver's xdp_drops "
      "statistic, where it has one, and the loss itself show it; the program's run count "
      "(kernel.bpf_stats_enabled=1) says how often it ran.";
  for (const auto& x : c.progs) {
    Argv cmd = detach_argv(c.dev, x);
    if (!c.dev_ns.empty())
      f.fix.push_back(command_in_netns(c.dev_ns, cmd));
    else
      f.fix.push_back(
          "# " + shell_comment(fmt::format("in the namespace {} knows as netnsid {}: {}",
                                           in.after.name, c.link.link_netnsid, command_line(cmd))));
  }
  for (const auto& x : c.progs)
    f.fix.push_back(with_note({"bpftool", "prog", "show", "id", std::to_string(x.prog_id)},
                              "what the program is and who loaded it (pids)"));
  if (!stats)
    f.fix.push_back(with_note({"sysctl", "-w", "kernel.bpf_stats_enabled=1"},
                              "count its runs (a small cost per run); set it back to 0 after"));
  f.moved_in_window = in.windowed();
  out.push_back(std::move(f));
}

bool observed(const RuleInput& in, const std::string& name) {
  for (const auto& ns : in.snapshot_after.namespaces)
    if (ns.name == name) return true;
  return false;
}

}  // namespace

void xdp_rules(const RuleInput& in, Findings& out) {
  for (const auto& l : in.after.links) {
    if (!l.xdp.empty()) xdp_finding(in, Case{l, l.xdp, l.name, in.after.name, false}, out);
    // The far end's program, when its namespace is not looked at (else it reports itself).
    if (!l.peer_xdp.empty() && l.link_netnsid >= 0 &&
        (l.peer_netns.empty() || !observed(in, l.peer_netns)))
      xdp_finding(in, Case{l, l.peer_xdp, l.peer_name, l.peer_netns, true}, out);
  }
}

}  // namespace pktloss
