#pragma once
// Gives the tracer's raw drop rows their meaning: which layer and finding each belongs to, and
// which namespace. A drop counted while a packet was being handed to a veth peer belongs to the
// receiving side; normal frees (socket teardown, queue purge) are not loss and are hidden unless
// asked for; rows outside the observed namespaces are dropped last, after re-homing, so a drop
// on the way into an observed namespace is kept. Pure: no I/O.
#include <cstdint>
#include <vector>

#include "model/observations.h"

namespace pktloss {

struct DropAttributionOptions {
  std::vector<uint64_t> netns_inodes;  // the observed namespaces; empty: every namespace
  bool include_benign = false;
};

std::vector<DropEventRow> attribute_drops(std::vector<DropEventRow> rows,
                                          const DropAttributionOptions& options);

}  // namespace pktloss
