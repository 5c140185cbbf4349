#pragma once
// Our own probes are not a fault. Raw SYN probes leave footprints that look exactly like the
// faults the rules look for: the probing host answers every SYN-ACK with a RST (Tcp.OutRsts, a
// NO_SOCKET drop), and the target counts an embryonic reset and a failed attempt for each. This
// removes those footprints from the counters and drop rows before any rule reads them, so no rule
// needs to know about probes.
#include <string>
#include <vector>

#include "model/observations.h"
#include "model/snapshot.h"

namespace pktloss {

// Lowers the after-values of the affected counters (never below their before-values) and the
// probing namespace's NO_SOCKET tcp rows. Returns one note per adjustment made.
std::vector<std::string> discount_own_traffic(const Observations& obs, const Snapshot& before,
                                              Snapshot& after,
                                              std::vector<DropEventRow>& drop_rows);

}  // namespace pktloss
