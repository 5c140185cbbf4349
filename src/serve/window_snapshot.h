#pragma once
// What serve's rolling window keeps of a snapshot. The rules read an EARLIER snapshot only for
// counters and the identities that pair them with the later one (link names, qdisc handles,
// firewall rule handles, socket inodes); routes, sysctls, neighbours, notes, socket owners,
// qdisc options and the fix texts of firewall rules are read from the later snapshot only. So
// the window keeps just those: with 10,000 firewall rules or 5,000 links, a kept snapshot is a
// fraction of a full one, and RSS no longer grows with the number of snapshots kept.
#include "model/snapshot.h"

namespace pktloss {

// A copy of `s` that gives the same findings and layer counters as `s` when used as the
// earlier snapshot of a pair (tests/unit/test_window_snapshot.cpp proves it on the fixtures).
Snapshot window_copy(const Snapshot& s);

}  // namespace pktloss
