#include "serve/window_snapshot.h"

namespace pktloss {
namespace {

Link slim(const Link& l) {
  Link k;
  k.ifindex = l.ifindex;
  k.name = l.name;
  k.stats = l.stats;
  k.peer_stats = l.peer_stats;
  k.driver_stats = l.driver_stats;
  return k;
}

Qdisc slim(const Qdisc& q) {
  Qdisc k;
  k.ifindex = q.ifindex;
  k.dev = q.dev;
  k.kind = q.kind;
  k.handle = q.handle;
  k.parent = q.parent;
  k.is_root = q.is_root;
  k.stats = q.stats;
  return k;
}

Socket slim(const Socket& s) {
  Socket k = s;
  k.owners.clear();
  k.owners.shrink_to_fit();
  return k;
}

// Rules pair as rules/identity.h says: nft rules by table incarnation, handle and text (a handle
// is reused after a flush), legacy rules (positions shift) by their text; so the text stays.
FirewallRule slim(const FirewallRule& r) {
  FirewallRule k;
  k.backend = r.backend;
  k.family = r.family;
  k.table = r.table;
  k.chain = r.chain;
  k.table_handle = r.table_handle;
  k.handle = r.handle;
  k.position = r.position;
  k.text = r.text;
  k.verdict = r.verdict;
  k.has_counter = r.has_counter;
  k.packets = r.packets;
  k.bytes = r.bytes;
  return k;
}

FirewallChain slim(const FirewallChain& c) {
  FirewallChain k;
  k.backend = c.backend;
  k.family = c.family;
  k.table = c.table;
  k.chain = c.chain;
  k.hook = c.hook;
  k.policy = c.policy;
  k.has_counter = c.has_counter;
  k.policy_packets = c.policy_packets;
  k.policy_bytes = c.policy_bytes;
  return k;
}

template <typename T>
std::vector<T> slim_all(const std::vector<T>& v) {
  std::vector<T> out;
  out.reserve(v.size());
  for (const auto& x : v) out.push_back(slim(x));
  return out;
}

}  // namespace

Snapshot window_copy(const Snapshot& s) {
  Snapshot k;
  k.monotonic_s = s.monotonic_s;
  k.taken_at = s.taken_at;
  k.host = s.host;
  k.namespaces.reserve(s.namespaces.size());
  for (const auto& ns : s.namespaces) {
    NetnsSnapshot n;
    n.name = ns.name;
    n.inode = ns.inode;
    n.entered = ns.entered;
    n.links = slim_all(ns.links);
    n.qdiscs = slim_all(ns.qdiscs);
    n.tc_filters = ns.tc_filters;  // a few per device, and all of it is counters and identity
    n.snmp = ns.snmp;
    n.softnet = ns.softnet;
    n.conntrack = ns.conntrack;
    n.sockets = slim_all(ns.sockets);
    n.firewall.rules = slim_all(ns.firewall.rules);
    n.firewall.chains = slim_all(ns.firewall.chains);
    // A handful per namespace at most: kept whole, for the programs' run counts in the window.
    n.bpf_programs = ns.bpf_programs;
    n.bpf_stats_enabled = ns.bpf_stats_enabled;
    k.namespaces.push_back(std::move(n));
  }
  return k;
}

}  // namespace pktloss
