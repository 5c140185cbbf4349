#pragma once
// IPv4 per-interface configuration through one rtnetlink RTM_GETNETCONF dump, instead of one
// /proc/sys file per interface (a thousand veths: 14 ms of opens become one request).
#include <linux/netlink.h>

#include <map>
#include <optional>

namespace pktloss {

// Index -> rp_filter for every interface of the calling thread's namespace, plus the "all" and
// "default" entries under NETCONFA_IFINDEX_ALL (-1) and NETCONFA_IFINDEX_DEFAULT (-2).
// nullopt when the dump is not possible (old kernel, no netlink): callers fall back to /proc/sys.
std::optional<std::map<int, int>> dump_ipv4_rp_filter();

// One RTM_NEWNETCONF message of that dump: adds ifindex -> rp_filter when it has both. Pure, for
// tests and fuzzing; every attribute is length-checked. `h` must have nlmsg_len bytes readable.
void parse_netconf_msg(const nlmsghdr* h, std::map<int, int>& out);

}  // namespace pktloss
