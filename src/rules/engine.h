#pragma once
// Turns snapshots and observations into a ranked report. Pure: no I/O.
#include "model/observations.h"
#include "model/report.h"
#include "model/snapshot.h"
#include "rules/rule_config.h"

namespace pktloss {

// before may be null (one snapshot). Namespaces are matched by inode; one present only after
// is evaluated on lifetime totals, one that vanished gets a note.
Report evaluate(const Snapshot* before, const Snapshot& after, const Observations& obs,
                const RuleConfig& cfg);

// Severity, then evidence strength (moved in the window beats lifetime), then volume, then
// confidence. Stable, so equal findings keep the order the rules produced.
void rank_findings(std::vector<Finding>& findings);

}  // namespace pktloss
