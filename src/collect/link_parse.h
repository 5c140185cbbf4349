#pragma once
// RTM_NEWLINK message -> model Link, a pure function over untrusted bytes: the dump of this
// namespace, the single-link lookup of a veth peer in another namespace, the unit tests and the
// fuzz target all go through it (so all fill the same fields the same way).
#include <linux/netlink.h>

#include <cstddef>
#include <optional>

#include "model/link.h"

namespace pktloss {

// Name, kind, state, mtu, IFLA_LINK/IFLA_LINK_NETNSID, master index and stats64 (falling back to
// the 32-bit IFLA_STATS). Peer and master names are resolved by the collector (they need other
// messages). nullopt when it is not an RTM_NEWLINK with a complete ifinfomsg. Every attribute is
// type- and length-checked; a malformed one is ignored, never read beyond.
// `nlh` must have nlmsg_len bytes readable (mnl_cb_run guarantees it for received messages).
std::optional<Link> link_from_nlmsg(const nlmsghdr* nlh);

// The same from a byte buffer that may hold anything (fuzzing, crafted tests).
std::optional<Link> link_from_bytes(const void* data, size_t len);

}  // namespace pktloss
