#pragma once
// Socket owners (inode -> pid, comm) are resolved lazily: only for the sockets a rule can name,
// with at most one /proc walk per snapshot (all namespaces together; socket inodes are global).
//
// A socket is a candidate when a rule could name it from this snapshot alone or as the "after"
// of a window (see rules/socket_rules.cpp, rules/netfilter_rules.cpp):
//   - its drop counter is non-zero (SK_MEMINFO_DROPS: receive-buffer, backlog or listen drops;
//     a window delta can only be non-zero when the after value is), or
//   - it is a TCP listener with a non-empty accept queue (rqueue > 0: the overflow rule names
//     a full queue, and a queue can only be full when it is non-empty), or
//   - its local port is a destination port of a firewall rule of its namespace (the netfilter
//     rules name the listener behind a REJECT on a service port).
// Everything else is never named, so its owner would be work thrown away: on a host with 2,000
// idle sockets the /proc walk is skipped entirely.
#include <vector>

#include "model/snapshot.h"

namespace pktloss {

bool owner_candidate(const Socket& s, const NetnsSnapshot& ns);

// Fills Socket::owners of every candidate in `namespaces` with one walk of /proc (none when
// there is no candidate); records a note in the namespace when the walk was cut short.
void resolve_candidate_owners(std::vector<NetnsSnapshot>& namespaces,
                              const char* proc_root = "/proc");

}  // namespace pktloss
