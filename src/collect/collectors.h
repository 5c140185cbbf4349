#pragma once
// Collectors: each fills its part of a NetnsSnapshot from the namespace of the *calling thread*
// (see netns/netns.h). A collector never throws for a missing or malformed source: it records a
// one-line note in ns.notes and leaves its part empty, so the rest of the snapshot still works.
#include "collect/collect_options.h"
#include "model/snapshot.h"

namespace pktloss {

void collect_links(NetnsSnapshot& ns, const CollectOptions& opts);  // collect/links.cpp (+ethtool)
void collect_qdiscs(NetnsSnapshot& ns);                             // collect/qdiscs.cpp
void collect_tc_filters(NetnsSnapshot& ns);  // collect/tc_filters.cpp (after qdiscs)
void collect_routes(NetnsSnapshot& ns);                             // routes, neighbours
void collect_proc_counters(NetnsSnapshot& ns);                      // snmp, netstat, snmp6
void collect_softnet(NetnsSnapshot& ns);                            // /proc/net/softnet_stat
void collect_conntrack(NetnsSnapshot& ns);                          // count, max, stats
void collect_sysctls(NetnsSnapshot& ns);                            // drop-deciding sysctls
void collect_sockets(NetnsSnapshot& ns, const CollectOptions& opts);  // sock_diag

}  // namespace pktloss
