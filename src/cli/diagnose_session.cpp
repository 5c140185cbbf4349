#include "cli/diagnose_session.h"

#include "collect/snapshot_taker.h"
#include "rules/engine.h"

namespace pktloss {

Report diagnose(const NetnsTarget& probing, const std::vector<NetnsTarget>& observed,
                const DiagnoseOptions& opts) {
  (void)probing;
  CollectOptions collect;
  Observations obs;
  Snapshot before = take_snapshot(observed, collect);
  Snapshot after = take_snapshot(observed, collect);
  Report report = evaluate(&before, after, obs, RuleConfig{});
  report.target = Target{opts.target, 0};
  return report;
}

}  // namespace pktloss
