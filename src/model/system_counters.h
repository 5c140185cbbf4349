#pragma once
// Protocol counters from /proc (snmp, netstat, snmp6), softnet and conntrack.
#include <cstdint>
#include <vector>

#include "model/counters.h"

namespace pktloss {

// Keys are "<Group>.<Name>" as the kernel prints them: "Tcp.RetransSegs", "TcpExt.ListenDrops",
// "Udp.RcvbufErrors", "IpExt.InNoRoutes". snmp6 names are split the same way: "Ip6.InDiscards",
// "Udp6.RcvbufErrors", "Icmp6.InDestUnreachs".
using SnmpCounters = CounterMap;

struct SoftnetCpu {
  int cpu = 0;
  uint64_t processed = 0;
  uint64_t dropped = 0;       // backlog (netdev_max_backlog) full
  uint64_t time_squeeze = 0;  // net_rx_action ran out of budget
  uint64_t received_rps = 0;
  uint64_t flow_limit_count = 0;
};

struct Conntrack {
  bool available = false;  // module loaded and readable in this namespace
  uint64_t count = 0;      // per namespace
  uint64_t max = 0;        // global (settable only in the initial namespace)
  uint64_t buckets = 0;
  // /proc/net/stat/nf_conntrack summed over CPUs: drop, early_drop, insert_failed, invalid,
  // search_restart, found, insert, ...
  CounterMap stats;
};

}  // namespace pktloss
