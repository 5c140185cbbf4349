#pragma once
// RTM_NEWROUTE / RTM_NEWNEIGH messages -> model structs, pure functions over
// untrusted bytes (every attribute type- and length-checked), shared by collect/routes.cpp and
// the unit tests. Device names are filled by the collector (they need the link list).
#include <linux/netlink.h>

#include <optional>

#include "model/routing.h"

namespace pktloss {

struct ParsedRoute {
  Route route;  // dev empty: oif names it
  int oif = 0;  // first nexthop's output device, 0 when none
};

// IPv4/IPv6 routes of any table; nullopt for other families or a malformed header.
std::optional<ParsedRoute> route_from_nlmsg(const nlmsghdr* nlh);

// The kernel's route type (RTN_*) of a well-formed RTM_NEWROUTE, read before any attribute.
std::optional<unsigned> route_type_of(const nlmsghdr* nlh);

// Only entries that lose packets (NUD_FAILED / NUD_INCOMPLETE) of IPv4/IPv6; nullopt otherwise.
std::optional<Neighbour> failing_neighbour_from_nlmsg(const nlmsghdr* nlh);

// "10.0.0.0/8", "fe80::/64", "192.0.2.1" (a full-length prefix is shown without it), "default"
// (prefix 0 when default_for_zero). Empty for an unknown family or a short address.
std::string prefix_text(int family, const void* addr, size_t len, int prefix,
                        bool default_for_zero);

}  // namespace pktloss
