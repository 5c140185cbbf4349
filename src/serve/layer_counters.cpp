#include "serve/layer_counters.h"

#include "model/finding.h"

namespace pktloss {
namespace {

constexpr const char* kLinkFields[] = {"rx_dropped", "tx_dropped", "rx_errors", "tx_errors",
                                       "rx_missed_errors"};
constexpr const char* kIp[] = {"Ip.InDiscards",  "Ip.InHdrErrors",   "Ip.InAddrErrors",
                               "Ip.OutNoRoutes", "IpExt.InNoRoutes", "Ip.ReasmFails",
                               "Ip6.InDiscards", "Ip6.InNoRoutes",   "Ip6.OutNoRoutes"};
constexpr const char* kTransport[] = {"TcpExt.ListenDrops", "TcpExt.TCPBacklogDrop", "Udp.NoPorts",
                                      "Udp6.NoPorts", "Tcp.InCsumErrors"};
constexpr const char* kSocket[] = {"Udp.RcvbufErrors", "Udp6.RcvbufErrors", "TcpExt.TCPRcvQDrop"};
constexpr const char* kConntrack[] = {"drop", "early_drop", "insert_failed"};

template <size_t N>
void copy_keys(CounterMap& out, const CounterMap& from, const char* const (&keys)[N],
               const std::string& prefix = "") {
  for (const char* k : keys) {
    auto it = from.find(k);
    if (it != from.end()) out[prefix + k] = it->second;
  }
}

template <size_t N>
void copy_keys(CounterMap& out, const LinkStats& from, const char* const (&keys)[N],
               const std::string& prefix) {
  for (const char* k : keys)
    if (auto m = link_stat_member(k)) out[prefix + k] = from.*m;
}

}  // namespace

std::map<std::string, CounterMap> layer_drop_counters(const NetnsSnapshot& ns) {
  std::map<std::string, CounterMap> m;
  for (Layer l : kAllLayers) m[to_string(l)];
  for (const auto& l : ns.links) copy_keys(m["link"], l.stats, kLinkFields, l.name + "/");
  for (const auto& q : ns.qdiscs)
    m["qdisc"][q.dev + "/" + std::to_string(q.handle) + "/" + std::to_string(q.parent)] =
        q.stats.drops;
  // A filter's actions drop before or after every qdisc and count it only themselves.
  for (const auto& f : ns.tc_filters)
    for (const auto& a : f.actions)
      m["qdisc"][f.dev + "/filter/" + std::to_string(f.parent) + "/" + std::to_string(f.prio) +
                 "/" + std::to_string(f.handle) + "/" + a.kind + "/" + std::to_string(a.index)] =
          a.drops;
  auto& nf = m["netfilter"];
  for (const auto& r : ns.firewall.rules)
    if (r.has_counter && (r.verdict == "drop" || r.verdict == "reject"))
      nf[r.backend + "/" + r.family + "/" + r.table + "/" + r.chain + "/" +
         std::to_string(r.handle)] = r.packets;
  for (const auto& c : ns.firewall.chains)
    if (c.has_counter && c.policy == "drop")
      nf[c.backend + "/" + c.family + "/" + c.table + "/" + c.chain + "/policy"] = c.policy_packets;
  if (ns.conntrack.available) copy_keys(nf, ns.conntrack.stats, kConntrack, "conntrack/");
  copy_keys(m["ip"], ns.snmp, kIp);
  copy_keys(m["transport"], ns.snmp, kTransport);
  copy_keys(m["socket"], ns.snmp, kSocket);
  return m;
}

std::map<std::string, uint64_t> layer_drop_deltas(const NetnsSnapshot& before,
                                                  const NetnsSnapshot& after) {
  auto b = layer_drop_counters(before);
  auto a = layer_drop_counters(after);
  std::map<std::string, uint64_t> out;
  for (const auto& [layer, counters] : a) {
    if (counters.empty()) continue;  // nothing counts drops there (application): not a zero
    uint64_t sum = 0;
    const CounterMap& prev = b[layer];
    for (const auto& [k, v] : counters) {
      auto it = prev.find(k);
      // A counter that was not there before (new rule, new interface) started at zero when
      // its object was created, i.e. within this short interval: count it from zero.
      sum += counter_delta(it == prev.end() ? 0 : it->second, v).delta;
    }
    out[layer] = sum;
  }
  return out;
}

}  // namespace pktloss
