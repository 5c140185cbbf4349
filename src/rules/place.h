#pragma once
// Structured places of findings (model/finding.h Place), built from the snapshot objects the
// rules already hold, so the renderers can draw a marker where the loss happens.
#include "model/finding.h"
#include "model/firewall.h"
#include "model/qdisc.h"
#include "model/snapshot.h"
#include "model/sockets.h"

namespace pktloss {

Place device_place(const std::string& dev, uint32_t mtu = 0, const std::string& netns = "");
Place qdisc_place(const Qdisc& q);
// The rule's chain and, when the chain is a base chain of ns, its hook.
Place rule_place(const FirewallRule& r, const NetnsSnapshot& ns);
Place chain_place(const FirewallChain& c);
Place socket_place(const Socket& s);

}  // namespace pktloss
