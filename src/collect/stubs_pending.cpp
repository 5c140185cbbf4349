// Placeholders until each collector lands in its own file; delete a line when its file exists.
#include "collect/collectors.h"

namespace pktloss {

void collect_links(NetnsSnapshot&, const CollectOptions&) {}
void collect_qdiscs(NetnsSnapshot&) {}
void collect_routes(NetnsSnapshot&) {}
void collect_proc_counters(NetnsSnapshot&) {}
void collect_softnet(NetnsSnapshot&) {}
void collect_conntrack(NetnsSnapshot&) {}
void collect_sysctls(NetnsSnapshot&) {}
void collect_sockets(NetnsSnapshot&, const CollectOptions&) {}
void collect_firewall(NetnsSnapshot&) {}

}  // namespace pktloss
