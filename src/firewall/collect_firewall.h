#pragma once
// The firewall collector: nftables (native and iptables-nft), iptables-legacy, ebtables and
// arptables rules with their counters, for the namespace of the calling thread (see
// collect/collectors.h for the contract every collector keeps).
#include "model/snapshot.h"

namespace pktloss {

void collect_firewall(NetnsSnapshot& ns);

}  // namespace pktloss
