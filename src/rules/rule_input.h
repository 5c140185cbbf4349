#pragma once
// What every rule reads: the before/after snapshot of one namespace, what was observed in the
// window, and the thresholds. Rules never do I/O; they append findings.
#include <vector>

#include "model/finding.h"
#include "model/observations.h"
#include "model/snapshot.h"
#include "rules/rule_config.h"

namespace pktloss {

struct RuleInput {
  const NetnsSnapshot* before = nullptr;  // null: one snapshot, lifetime totals (weaker evidence)
  const NetnsSnapshot& after;
  const Snapshot& snapshot_after;         // every observed namespace, e.g. to find a veth peer
  const Snapshot* snapshot_before = nullptr;
  double window_s = 0;
  const Observations& obs;
  const RuleConfig& config;

  bool windowed() const { return before != nullptr; }
};

using Findings = std::vector<Finding>;

}  // namespace pktloss
