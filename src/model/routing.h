#pragma once
// Routes that decide drops, and neighbour (ARP/NDP) state.
#include <cstdint>
#include <string>

#include "model/counters.h"

namespace pktloss {

struct Route {
  int family = 0;    // AF_INET / AF_INET6
  std::string dst;   // "10.0.0.0/8", "default"
  std::string type;  // "unicast", "blackhole", "unreachable", "prohibit", "local", ...
  uint32_t table = 0;
  std::string dev;
  std::string gateway;
  uint32_t mtu = 0;  // RTAX_MTU metric, 0 when unset
};

struct Neighbour {
  int ifindex = 0;
  std::string dev;
  std::string dst;
  std::string state;  // "FAILED", "INCOMPLETE", "REACHABLE", ...
};

// Per-table neighbour statistics (NDTA_STATS), e.g. "arp_cache.unresolved_discards".
using NeighbourTableStats = CounterMap;

}  // namespace pktloss
