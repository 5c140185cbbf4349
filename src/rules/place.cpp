#include "rules/place.h"

#include "rules/proc_rule_util.h"
#include "rules/qdisc_format.h"

namespace pktloss {

Place device_place(const std::string& dev, uint32_t mtu, const std::string& netns) {
  Place p;
  p.dev = dev;
  p.mtu = mtu;
  p.netns = netns;
  return p;
}

Place qdisc_place(const Qdisc& q) {
  Place p;
  p.dev = q.dev;
  // Only the ingress qdisc sees arriving packets; the root tree (and its children) is egress.
  p.direction = tc_parent(q) == "ingress" ? "ingress" : "egress";
  p.qdisc = q.kind + " " + tc_handle(q.handle);
  return p;
}

Place rule_place(const FirewallRule& r, const NetnsSnapshot& ns) {
  Place p;
  p.table = r.family + " " + r.table;
  p.chain = r.chain;
  for (const auto& c : ns.firewall.chains)
    if (c.family == r.family && c.table == r.table && c.chain == r.chain) p.hook = c.hook;
  return p;
}

Place chain_place(const FirewallChain& c) {
  Place p;
  p.table = c.family + " " + c.table;
  p.chain = c.chain;
  p.hook = c.hook;
  return p;
}

Place socket_place(const Socket& s) {
  Place p;
  p.socket = proc_rules::socket_text(s);
  p.owner = proc_rules::owners_text(s);
  return p;
}

}  // namespace pktloss
