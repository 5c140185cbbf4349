// IP layer: no route, reverse-path filter, fragment reassembly (counters from /proc/net/snmp,
// /proc/net/netstat, /proc/net/snmp6; routes and rp_filter sysctls from the snapshot).
#include <algorithm>
#include <string>
#include <vector>

#include "model/finding_kind.h"
#include "rules/proc_rule_util.h"
#include "rules/rule_families.h"

namespace pktloss {
namespace {

using namespace proc_rules;

bool is_drop_route(const Route& r) {
  return r.type == "blackhole" || r.type == "unreachable" || r.type == "prohibit";
}

std::string route_text(const Route& r) {
  std::string t = r.type + " " + r.dst;
  if (r.table != 0 && r.table != 254) t += " table " + std::to_string(r.table);
  return t;
}

void no_route(const RuleInput& in, Findings& out) {
  const std::vector<std::string> keys = {"IpExt.InNoRoutes", "Ip.OutNoRoutes", "Ip6.InNoRoutes",
                                         "Ip6.OutNoRoutes"};
  uint64_t n = moved_sum(in, {"IpExt.InNoRoutes", "Ip.OutNoRoutes", "Ip6.OutNoRoutes"});
  uint64_t in6 = moved_sum(in, {"Ip6.InNoRoutes"});
  if (in6 >= in.config.ipv6_in_noroute_min) n += in6;
  std::vector<const Route*> drop_routes;
  for (const auto& r : in.after.routes)
    if (is_drop_route(r)) drop_routes.push_back(&r);
  bool moved_now = in.windowed() && n >= in.config.min_window_events;
  if (n == 0 && drop_routes.empty()) return;

  Finding f = new_finding(in, kinds::ip_no_route.id, Layer::ip);
  add_counters(in, keys, f);
  f.moved_in_window = moved_now;
  f.volume = n;
  if (moved_now)
    f.severity = drop_routes.empty() ? Severity::warning : Severity::critical;
  else
    f.severity = Severity::info;  // lifetime totals, or a drop route nothing hit in the window
  f.confidence = moved_now ? 0.9 : 0.4;
  for (const Route* r : drop_routes) {
    f.evidence.push_back(fact_evidence("rtnetlink", "route " + route_text(*r)));
    Argv del = {"ip"};
    if (r->family == 10) del.push_back("-6");
    del.insert(del.end(), {"route", "del", r->type, r->dst});
    if (r->table != 0 && r->table != 254)
      del.insert(del.end(), {"table", std::to_string(r->table)});
    f.fix.push_back(in_ns(in.after, del));
  }
  bool has_default4 = std::any_of(in.after.routes.begin(), in.after.routes.end(), [](auto& r) {
    return r.family == 2 && r.dst == "default" && !is_drop_route(r);
  });
  uint64_t out_noroute =
      moved(in.before ? &in.before->snmp : nullptr, in.after.snmp, "Ip.OutNoRoutes");
  if (!in.after.routes.empty() && !has_default4 && out_noroute > 0) {
    f.evidence.push_back(fact_evidence("rtnetlink", "no IPv4 default route"));
    std::string dev;
    for (const auto& l : in.after.links)
      if (l.name != "lo" && l.admin_up) {
        dev = l.name;
        break;
      }
    f.fix.push_back(in_ns(in.after, {"ip", "route", "add", "default", "via", "<GATEWAY>", "dev",
                                     dev.empty() ? std::string("<DEV>") : dev}));
  }
  f.object = drop_routes.empty() ? std::string("routing table") : route_text(*drop_routes[0]);
  f.summary = moved_now ? std::to_string(n) + " packets had no route " + window_word(in)
              : n > 0   ? std::to_string(n) + " packets had no route " + window_word(in)
                        : std::to_string(drop_routes.size()) +
                            " blackhole/unreachable/prohibit route(s) configured";
  f.explanation =
      "The kernel found no usable route for these packets and dropped them (received packets: "
      "IpExt.InNoRoutes; locally sent: Ip.OutNoRoutes, the application gets ENETUNREACH). "
      "Blackhole, unreachable and prohibit routes drop on purpose; a missing default route "
      "drops everything outside the connected networks.";
  if (f.fix.empty())
    f.fix.push_back(
        in_ns(in.after, {"ip", "route", "show", "table", "all"}));  // nothing to compute: inspect
  out.push_back(std::move(f));
}

int rp_value(const std::map<std::string, std::string>& s, const std::string& iface) {
  auto it = s.find("net.ipv4.conf." + iface + ".rp_filter");
  if (it == s.end()) return -1;
  auto v = parse_number(it->second);
  return v ? static_cast<int>(std::min<uint64_t>(*v, 2)) : -1;
}

void rp_filter(const RuleInput& in, Findings& out) {
  const std::string key = "TcpExt.IPReversePathFilter";
  uint64_t n = moved(in.before ? &in.before->snmp : nullptr, in.after.snmp, key);
  if (n == 0) return;
  bool moved_now = in.windowed() && n >= in.config.min_window_events;
  Finding f = new_finding(in, kinds::ip_rp_filter.id, Layer::ip);
  add_counters(in, {key}, f);
  f.moved_in_window = moved_now;
  f.volume = n;
  f.severity = moved_now ? Severity::critical : Severity::info;
  f.confidence = moved_now ? 0.9 : 0.4;

  const auto& s = in.after.sysctls;
  int all = std::max(rp_value(s, "all"), 0);
  std::vector<std::string> strict;
  bool any_filtering = false;
  for (const auto& [name, value] : s) {
    const std::string pre = "net.ipv4.conf.", suf = ".rp_filter";
    if (name.rfind(pre, 0) != 0 || name.size() <= pre.size() + suf.size()) continue;
    std::string iface = name.substr(pre.size(), name.size() - pre.size() - suf.size());
    if (iface == "all" || iface == "default") continue;
    int own = std::max(rp_value(s, iface), 0);
    int eff = std::max(all, own);  // the kernel uses the larger of all and the interface
    if (eff == 0) continue;
    any_filtering = true;
    f.evidence.push_back(fact_evidence("/proc/sys", iface + ": rp_filter " + std::to_string(eff) +
                                                        (eff == 1 ? " (strict)" : " (loose)") +
                                                        ", from all=" + std::to_string(all) + " " +
                                                        iface + "=" + std::to_string(own)));
    if (eff == 1) strict.push_back(iface);
    if (own == 1)
      f.fix.push_back(in_ns(in.after, {"sysctl", "-w", "net.ipv4.conf." + iface + ".rp_filter=2"}));
  }
  if (all == 1)
    f.fix.insert(f.fix.begin(), in_ns(in.after, {"sysctl", "-w", "net.ipv4.conf.all.rp_filter=2"}));
  if (strict.empty())
    f.fix.push_back(in_ns(
        in.after, {"ip", "route", "add", "<SOURCE-NETWORK>", "dev", "<IFACE-IT-ARRIVES-ON>"}));
  f.object = strict.empty() ? std::string("rp_filter") : "rp_filter on " + strict.front();
  f.summary = std::to_string(n) + " packets dropped by reverse-path filtering " + window_word(in);
  f.explanation =
      "rp_filter drops a packet when the route back to its source does not leave through the "
      "interface it arrived on (strict, 1) or through no interface at all (loose, 2). Asymmetric "
      "routing, multi-homed hosts and spoofed sources trigger it." +
      std::string(any_filtering ? " Loose mode keeps anti-spoofing while allowing asymmetry." : "");
  out.push_back(std::move(f));
}

void reassembly(const RuleInput& in, Findings& out) {
  const std::vector<std::string> fails = {"Ip.ReasmFails", "Ip6.ReasmFails"};
  uint64_t n = moved_sum(in, fails);
  if (n == 0) return;
  bool moved_now = in.windowed() && n >= in.config.min_window_events;
  Finding f = new_finding(in, kinds::ip_reassembly.id, Layer::ip);
  add_counters(in,
               {"Ip.ReasmFails", "Ip.ReasmTimeout", "IpExt.ReasmOverlaps", "Ip.ReasmReqds",
                "Ip6.ReasmFails", "Ip6.ReasmTimeout", "Ip6.ReasmReqds"},
               f);
  f.moved_in_window = moved_now;
  f.volume = n;
  f.severity = moved_now ? Severity::warning : Severity::info;
  f.confidence = moved_now ? 0.8 : 0.3;
  f.object = "IP fragment reassembly";
  uint64_t timeouts = moved_sum(in, {"Ip.ReasmTimeout", "Ip6.ReasmTimeout"});
  for (const char* name : {"net.ipv4.ipfrag_high_thresh", "net.ipv4.ipfrag_time"}) {
    auto v = sysctl(in, name);
    if (v) f.evidence.push_back(fact_evidence("/proc/sys", std::string(name) + " = " + v->value));
  }
  if (auto hi = sysctl_u64(in, "net.ipv4.ipfrag_high_thresh"))
    f.fix.push_back(sysctl_fix(in, "net.ipv4.ipfrag_high_thresh", std::to_string(raised(*hi))));
  if (timeouts > 0)
    if (auto t = sysctl_u64(in, "net.ipv4.ipfrag_time"))
      f.fix.push_back(sysctl_fix(in, "net.ipv4.ipfrag_time", std::to_string(raised(*t))));
  f.summary = std::to_string(n) + " fragmented datagrams could not be reassembled " +
              window_word(in) + (timeouts ? " (" + std::to_string(timeouts) + " timed out)" : "");
  f.explanation =
      "A datagram split into fragments is dropped whole when one fragment never arrives "
      "(ReasmTimeout), fragments overlap, or reassembly memory (ipfrag_high_thresh) runs out. "
      "Fragments lost on the path are the usual cause: avoiding fragmentation (smaller "
      "datagrams, a consistent MTU) fixes it at the root.";
  out.push_back(std::move(f));
}

}  // namespace

void ip_rules(const RuleInput& in, Findings& out) {
  no_route(in, out);
  rp_filter(in, out);
  reassembly(in, out);
}

}  // namespace pktloss
