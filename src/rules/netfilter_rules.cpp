// Netfilter: which DROP/REJECT rule or drop policy discarded how much in the window, and whether
// the conntrack table overflowed. Reads only the snapshot model (firewall, conntrack, sockets).
#include <algorithm>
#include <cmath>
#include <regex>

#include "model/finding_kind.h"
#include "rules/evidence.h"
#include "rules/identity.h"
#include "rules/netns_prefix.h"
#include "rules/place.h"
#include "rules/rule_families.h"
#include "util/shell_command.h"

namespace pktloss {
namespace {

// Conntrack counts at or above this share of nf_conntrack_max are "near full": new flows are
// about to be dropped. Proven by test_netfilter_rules (quiet at 50%, fires at 95%).
constexpr double kConntrackNearFullRatio = 0.9;

bool has_trait(const FirewallRule& r, const std::string& t) {
  return std::find(r.traits.begin(), r.traits.end(), t) != r.traits.end();
}

const FirewallRule* find_before(const NetnsSnapshot* before, const FirewallRule& r) {
  if (!before) return nullptr;
  // nft handles are stable but reused after a flush; legacy rules have only positions, which
  // shift: see same_rule.
  for (const auto& b : before->firewall.rules)
    if (same_rule(b, r)) return &b;
  return nullptr;
}

const FirewallChain* find_before(const NetnsSnapshot* before, const FirewallChain& c) {
  if (!before) return nullptr;
  for (const auto& b : before->firewall.chains)
    if (b.backend == c.backend && b.family == c.family && b.table == c.table && b.chain == c.chain)
      return &b;
  return nullptr;
}

// "30%" from "--probability 0.29999999981" or "numgen random mod 10 < 3"; empty when unknown.
std::string random_share(const std::string& text) {
  std::smatch m;
  static const std::regex ipt(R"(--probability ([0-9.]+))");
  static const std::regex nft(R"(numgen random mod ([0-9]+) < ([0-9]+))");
  double p = -1;
  if (std::regex_search(text, m, ipt)) {
    p = std::stod(m[1]);
  } else if (std::regex_search(text, m, nft)) {
    double mod = std::stod(m[1]);
    if (mod > 0) p = std::stod(m[2]) / mod;
  }
  if (p < 0) return "";
  return std::to_string(static_cast<int>(std::lround(p * 100))) + "%";
}

std::string tool_of(const std::string& backend) {
  if (backend == "nftables") return "nftables";
  return backend;  // "iptables-nft", "iptables-legacy", ...
}

std::string object_of(const FirewallRule& r) {
  std::string o = r.family + " " + r.table + " " + r.chain + " rule " + std::to_string(r.position);
  if (r.backend.find("legacy") == std::string::npos)
    o += " (handle " + std::to_string(r.handle) + ")";
  return o;
}

std::string listeners_on(const NetnsSnapshot& ns, uint16_t port) {
  for (const auto& s : ns.sockets) {
    if (s.local_port != port || (s.proto == "tcp" && s.state != "LISTEN")) continue;
    std::string who = s.proto + " " + s.local_addr + ":" + std::to_string(port);
    if (!s.owners.empty()) who += " (" + s.owners[0].comm + ")";
    return who;
  }
  return "";
}

// What the rule does, said plainly, and why that is dangerous.
void describe(const FirewallRule& r, const NetnsSnapshot& ns, std::string& what, std::string& why) {
  std::string action = r.verdict == "reject" ? "rejects" : "drops";
  if (has_trait(r, "random")) {
    std::string share = random_share(r.text);
    what = action + " " + (share.empty() ? "a random share" : share) + " of " +
           (has_trait(r, "matches-all") ? "all packets" : "matching packets") + " at random";
    why =
        "A random (statistic/numgen) match discards a share of the packets at random: "
        "connections stall and retransmit instead of failing clearly.";
  } else if (has_trait(r, "verdict-map")) {
    what = action + " packets its verdict map sends to drop";
    why =
        "A verdict map (vmap) picks the verdict per packet; some of its elements say drop. The "
        "rule's counter counts every packet the map looks up, dropped or not.";
  } else if (has_trait(r, "nth")) {
    what = action + " every n-th matching packet";
    why = "An nth/counter match discards packets in a fixed rhythm.";
  } else if (has_trait(r, "matches-all")) {
    what = action + " every packet on chain " + r.chain;
    why = "The rule has no match at all: every packet that reaches it is discarded.";
  } else if (has_trait(r, "reject-service-port") && !r.dports.empty()) {
    uint16_t port = r.dports.front();
    std::string who = listeners_on(ns, port);
    what = action + " connections to port " + std::to_string(port);
    why = "REJECT answers every connection attempt to port " + std::to_string(port) +
          " with an error, so clients fail at once" +
          (who.empty() ? "." : ", although " + who + " listens there.");
  } else if (has_trait(r, "ct-invalid")) {
    what = action + " packets conntrack classifies as INVALID";
    why =
        "Packets conntrack cannot place in a connection are discarded; a rising count "
        "means out-of-window, asymmetric-routed or late packets.";
  } else {
    what = action + " matching packets";
    why = "A " + std::string(r.verdict == "reject" ? "REJECT" : "DROP") +
          " rule discarded packets during the observation.";
  }
}

// The command that removes the rule, in its namespace, with the reason when it names the rule
// by handle or number; a comment when no command can name it.
std::string delete_fix(const std::string& ns, const FirewallRule& r) {
  if (r.delete_argv.empty())
    return "# " + shell_comment("no command can name this rule safely; remove it with " +
                                r.backend + " by hand");
  return command_in_netns(ns, r.delete_argv, r.delete_note);
}

void rule_findings(const RuleInput& in, Findings& out) {
  const NetnsSnapshot& ns = in.after;
  for (const auto& r : ns.firewall.rules) {
    if (r.verdict != "drop" && r.verdict != "reject") continue;
    std::string what, why;
    describe(r, ns, what, why);
    bool dangerous = has_trait(r, "random") || has_trait(r, "matches-all") || has_trait(r, "nth") ||
                     has_trait(r, "reject-service-port");
    Finding f;
    f.layer = Layer::netfilter;
    f.netns = ns.name;
    f.object = object_of(r);
    f.place = rule_place(r, ns);
    f.explanation = why;
    f.evidence.push_back(fact_evidence(tool_of(r.backend), r.text));
    // Which rule leads packets into this chain, so the operator can follow the path.
    if (!r.reached_via.empty())
      f.evidence.push_back(fact_evidence(tool_of(r.backend), "reached via " + r.reached_via));
    if (!r.partial_reason.empty())
      f.evidence.push_back(
          fact_evidence("pktloss", "rule text may differ from the tool's: " + r.partial_reason));
    if (!r.has_counter) {
      f.id = kinds::netfilter_unmeasured_rule.id;
      f.severity = dangerous ? Severity::warning : Severity::info;
      f.confidence = dangerous ? 0.6 : 0.3;
      f.summary = tool_of(r.backend) + " rule " + what +
                  " but has no counter, so its drops "
                  "cannot be measured";
      f.explanation += " Add a counter to see how much it drops.";
      if (!r.add_counter_argv.empty())
        f.fix.push_back(command_in_netns(ns.name, r.add_counter_argv));
      else if (!r.counter_note.empty())
        f.fix.push_back("# " + shell_comment("no add-counter command: " + r.counter_note));
      f.fix.push_back(delete_fix(ns.name, r));
      out.push_back(std::move(f));
      continue;
    }
    const FirewallRule* b = find_before(in.before, r);
    std::optional<uint64_t> before_packets;
    if (in.windowed()) before_packets = b ? b->packets : 0;  // new rule: counted only in window
    Evidence ev = value_evidence(tool_of(r.backend), "packets", before_packets, r.packets, r.text);
    uint64_t delta = ev.delta.value_or(0);
    if (in.windowed() && delta > 0) {
      f.severity =
          has_trait(r, "ct-invalid") && !dangerous ? Severity::warning : Severity::critical;
      f.confidence = 0.95;
      f.moved_in_window = true;
      f.volume = delta;
      f.summary = tool_of(r.backend) + " rule " + what + ": " + std::to_string(delta) +
                  " packets in the window";
    } else if (!in.windowed() && r.packets > 0) {
      f.severity = Severity::warning;
      f.confidence = 0.6;
      f.volume = r.packets;
      f.summary = tool_of(r.backend) + " rule " + what + ": " + std::to_string(r.packets) +
                  " packets since it was added (lifetime total; use -i to see if it still drops)";
    } else if (in.windowed() && r.packets > 0) {
      f.severity = Severity::info;
      f.confidence = 0.4;
      f.summary = tool_of(r.backend) + " rule " + what + ": " + std::to_string(r.packets) +
                  " packets before the window, none during it";
    } else if (dangerous) {
      f.severity = Severity::info;
      f.confidence = 0.3;
      f.summary = tool_of(r.backend) + " rule " + what + " (no packet counted yet)";
    } else {
      continue;
    }
    f.id = kinds::netfilter_drop_rule.id;
    f.evidence.front() = ev;  // the rule text travels with its counter
    if (r.bytes || (b && b->bytes)) {
      std::optional<uint64_t> bb;
      if (in.windowed()) bb = b ? b->bytes : 0;
      f.evidence.push_back(value_evidence(tool_of(r.backend), "bytes", bb, r.bytes));
    }
    for (const auto& t : r.traits) f.evidence.push_back(fact_evidence("rule", "trait: " + t));
    if (has_trait(r, "ct-invalid") && ns.conntrack.available) {
      const CounterMap* bs = in.before ? &in.before->conntrack.stats : nullptr;
      Evidence inv =
          counter_evidence("/proc/net/stat/nf_conntrack", "invalid", bs, ns.conntrack.stats,
                           "conntrack classified these packets INVALID");
      if (inv.in_window || inv.after.value_or(0) > 0) f.evidence.push_back(inv);
    }
    f.fix.push_back(delete_fix(ns.name, r));
    out.push_back(std::move(f));
  }
}

void policy_findings(const RuleInput& in, Findings& out) {
  const NetnsSnapshot& ns = in.after;
  for (const auto& c : ns.firewall.chains) {
    if (c.policy != "drop") continue;
    Finding f;
    f.layer = Layer::netfilter;
    f.netns = ns.name;
    f.object = c.family + " " + c.table + " " + c.chain + " policy drop";
    f.place = chain_place(c);
    std::string policy_text = c.backend == "nftables"
                                  ? "chain " + c.family + " " + c.table + " " + c.chain +
                                        " { type filter hook " + c.hook + "; policy drop; }"
                                  : ":" + c.chain + " DROP";
    f.evidence.push_back(fact_evidence(tool_of(c.backend), policy_text));
    f.explanation =
        "Packets that no rule of this base chain accepts fall through to its DROP "
        "policy. Accept the traffic you need with a rule, or change the policy.";
    if (!c.has_counter) {
      f.id = kinds::netfilter_unmeasured_rule.id;
      f.severity = Severity::info;
      f.confidence = 0.3;
      f.summary = "chain " + c.table + " " + c.chain +
                  " drops by policy; nftables keeps no "
                  "policy counter, so its drops cannot be measured";
      if (!c.add_counter_argv.empty())
        f.fix.push_back(command_in_netns(ns.name, c.add_counter_argv));
      out.push_back(std::move(f));
      continue;
    }
    const FirewallChain* b = find_before(in.before, c);
    std::optional<uint64_t> bp;
    if (in.windowed()) bp = b ? b->policy_packets : 0;
    Evidence ev =
        value_evidence(tool_of(c.backend), "policy packets", bp, c.policy_packets, policy_text);
    uint64_t delta = ev.delta.value_or(0);
    if (in.windowed() && delta > 0) {
      f.severity = Severity::critical;
      f.confidence = 0.9;
      f.moved_in_window = true;
      f.volume = delta;
      f.summary = "policy DROP of " + c.family + " " + c.table + " " + c.chain + " dropped " +
                  std::to_string(delta) + " packets in the window";
    } else if (!in.windowed() && c.policy_packets > 0) {
      f.severity = Severity::warning;
      f.confidence = 0.6;
      f.volume = c.policy_packets;
      f.summary = "policy DROP of " + c.family + " " + c.table + " " + c.chain + " dropped " +
                  std::to_string(c.policy_packets) + " packets (lifetime total)";
    } else {
      continue;
    }
    f.id = kinds::netfilter_drop_rule.id;
    f.evidence.front() = ev;
    if (!c.set_policy_argv.empty()) f.fix.push_back(command_in_netns(ns.name, c.set_policy_argv));
    out.push_back(std::move(f));
  }
}

uint64_t pow2_ceil(uint64_t v) {
  uint64_t p = 1;
  while (p < v && p < (uint64_t{1} << 40)) p <<= 1;
  return p;
}

void conntrack_findings(const RuleInput& in, Findings& out) {
  const Conntrack& ct = in.after.conntrack;
  if (!ct.available || ct.max == 0) return;
  const Conntrack* bct =
      in.before && in.before->conntrack.available ? &in.before->conntrack : nullptr;
  const CounterMap* bs = bct ? &bct->stats : nullptr;
  uint64_t peak = std::max(ct.count, bct ? bct->count : 0);
  uint64_t drops = moved(bs, ct.stats, "drop");
  uint64_t early = moved(bs, ct.stats, "early_drop");
  bool full = peak >= ct.max;
  bool near = static_cast<double>(peak) >= kConntrackNearFullRatio * static_cast<double>(ct.max);
  Finding f;
  f.id = kinds::netfilter_conntrack_full.id;
  f.layer = Layer::netfilter;
  f.netns = in.after.name;
  f.object = "conntrack table";
  if (in.windowed()) {
    if (drops == 0 && early == 0 && !near) return;
    // early_drop only happens when the table is full: entries of other flows were evicted.
    f.moved_in_window = drops > 0 || early > 0;
    f.severity = drops > 0 || early > 0 || full ? Severity::critical : Severity::warning;
    f.confidence = drops > 0 || early > 0 ? 0.95 : 0.75;
    f.volume = drops + early;
  } else {
    if (drops == 0 && early == 0 && !near) return;
    f.severity = full ? Severity::critical : Severity::warning;
    f.confidence = full ? 0.8 : 0.5;
    f.volume = drops;
  }
  std::string window = in.windowed() ? " in the window" : " since boot (lifetime)";
  if (drops > 0)
    f.summary = "conntrack table full: " + std::to_string(drops) + " new connections dropped" +
                window + " (" + std::to_string(peak) + " of " + std::to_string(ct.max) +
                " entries)";
  else if (early > 0)
    f.summary = "conntrack table full: " + std::to_string(early) +
                " entries of other flows evicted to make room" + window + " (" +
                std::to_string(peak) + " of " + std::to_string(ct.max) + " entries)";
  else if (full)
    f.summary = "conntrack table full: " + std::to_string(peak) + " of " + std::to_string(ct.max) +
                " entries; new connections are dropped";
  else
    f.summary = "conntrack table near full: " + std::to_string(peak) + " of " +
                std::to_string(ct.max) + " entries";
  f.evidence.push_back(value_evidence("/proc/sys/net/netfilter/nf_conntrack_count", "count",
                                      bct ? std::optional<uint64_t>(bct->count) : std::nullopt,
                                      ct.count, "entries in this namespace"));
  f.evidence.push_back(value_evidence("/proc/sys/net/netfilter/nf_conntrack_max", "max",
                                      std::nullopt, ct.max, "global maximum"));
  for (const char* k : {"drop", "early_drop", "insert_failed", "search_restart"}) {
    if (!ct.stats.count(k)) continue;
    f.evidence.push_back(
        counter_evidence("/proc/net/stat/nf_conntrack", k, bs, ct.stats, "summed over CPUs"));
  }
  // Twice the observed peak, a power of two; the hash keeps the host's buckets-per-entry ratio.
  uint64_t new_max = pow2_ceil(std::max<uint64_t>(2 * peak, ct.max + 1));
  uint64_t hashsize = ct.buckets ? std::max<uint64_t>(1, new_max * ct.buckets / ct.max) : new_max;
  f.explanation =
      "Every tracked flow needs a conntrack entry; when the table is full the kernel "
      "drops the first packet of new flows (\"nf_conntrack: table full, dropping "
      "packet\"). nf_conntrack_max is global and can only be set from the initial "
      "namespace.";
  f.fix.push_back("sysctl -w net.netfilter.nf_conntrack_max=" + std::to_string(new_max));
  f.fix.push_back("echo " + std::to_string(hashsize) +
                  " > /sys/module/nf_conntrack/parameters/hashsize");
  f.fix.push_back("echo 'net.netfilter.nf_conntrack_max = " + std::to_string(new_max) +
                  "' > /etc/sysctl.d/90-pktloss-conntrack.conf");
  out.push_back(std::move(f));
}

}  // namespace

void netfilter_rules(const RuleInput& in, Findings& out) {
  // Rule and policy fixes run in the rule's namespace; conntrack sizing is global, settable only
  // from the initial namespace, so its fixes carry no prefix.
  rule_findings(in, out);
  policy_findings(in, out);
  conntrack_findings(in, out);
}

}  // namespace pktloss
