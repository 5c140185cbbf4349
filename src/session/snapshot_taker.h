#pragma once
// Takes one snapshot of several namespaces: each namespace is collected on a worker thread
// that has entered it.
#include <vector>

#include "collect/collect_options.h"
#include "model/snapshot.h"
#include "netns/netns.h"

namespace pktloss {

Snapshot take_snapshot(const std::vector<NetnsTarget>& targets, const CollectOptions& opts);

}  // namespace pktloss
