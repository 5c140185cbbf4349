#pragma once
// A snapshot: every drop-related counter and config of one or more network namespaces at one
// instant. Collectors fill it, rules read two of them; nothing here does I/O or decides.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/bpf_program.h"
#include "model/firewall.h"
#include "model/link.h"
#include "model/netns_id.h"
#include "model/qdisc.h"
#include "model/routing.h"
#include "model/sockets.h"
#include "model/tc_filter.h"
#include "model/system_counters.h"

namespace pktloss {

struct NetnsSnapshot {
  std::string name;     // "host" for the initial namespace, the /run/netns name, or "pid:1234"
  uint64_t inode = 0;   // the namespace's inode: identity across names
  // The typed identity behind name; for a container, what a fix needs that the name does not say
  // (its init pid, the tools its image has).
  NetnsId id;
  bool entered = true;  // false when the namespace could not be entered (vanished, no privilege)
  std::vector<Link> links;
  std::vector<Qdisc> qdiscs;
  std::vector<TcFilter> tc_filters;  // filters and their actions on ingress/clsact/classful qdiscs
  SnmpCounters snmp;
  std::vector<SoftnetCpu> softnet;  // softnet is per CPU, global to the host (shown in the host ns)
  Conntrack conntrack;
  // Sysctls by dotted name: "net.ipv4.conf.all.rp_filter" -> "2", "net.core.somaxconn" -> "4096".
  std::map<std::string, std::string> sysctls;
  std::vector<Socket> sockets;
  std::vector<Route> routes;
  std::vector<Neighbour> neighbours;    // only entries in a failing state
  NeighbourTableStats neighbour_stats;  // "arp_cache.unresolved_discards", ...
  Firewall firewall;
  // The programs this namespace's links (XDP) and tc filters (cls_bpf) run, each id once, and
  // whether the kernel counts their runs (kernel.bpf_stats_enabled, host-wide; read only when a
  // program is attached).
  std::vector<BpfProgram> bpf_programs;
  bool bpf_stats_enabled = false;
  // What could not be collected here and why; one line each, shown in the report.
  std::vector<std::string> notes;
};

struct Snapshot {
  double monotonic_s = 0;  // CLOCK_MONOTONIC when taken: the window is after - before
  std::string taken_at;    // RFC 3339 wall clock
  std::string host;
  std::vector<NetnsSnapshot> namespaces;

  const NetnsSnapshot* find(uint64_t inode) const {
    for (const auto& ns : namespaces)
      if (ns.inode == inode) return &ns;
    return nullptr;
  }
};

}  // namespace pktloss
