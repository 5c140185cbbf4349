#pragma once
// rtnetlink link object -> model Link, a pure conversion shared by the dump of this namespace and
// the single-link lookup of a veth peer in another namespace (so both fill the same fields).
#include <string>

#include "model/link.h"

struct rtnl_link;

namespace pktloss {

// Every rtnl_link_stats64 field libnl exposes, under the kernel's field name.
CounterMap link_stats_from_rtnl(rtnl_link* l);

// Name, kind, state, mtu, IFLA_LINK/IFLA_LINK_NETNSID, master index and stats64. Peer and master
// names are resolved by the collector (they need other objects).
Link link_from_rtnl(rtnl_link* l);

}  // namespace pktloss
