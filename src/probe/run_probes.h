#pragma once
// The probe API `diagnose` and `probe` use: run every kind in the plan, one after another.
// Call it inside the probing namespace (wrap it in run_in_netns). Typical use in diagnose:
//
//   ProbePlan plan;  plan.host = resolve_target(spec).host;  plan.port = ...;
//   plan.source_netns = target.name;                 // labels results and own-traffic notes
//   std::vector<ProbeResult> results;
//   run_in_netns(target, [&] { results = run_probes(plan, progress); });
//   obs.probes = results;  record_own_traffic(results, obs);   // then evaluate(...)
//
// Size the counter window with estimated_max_ms(plan). Results come back in plan.kinds order;
// application_rules() turns them into application.probe_loss / ip.pmtu_blackhole findings.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/observations.h"
#include "probe/probe_plan.h"

namespace pktloss {

// Called after each kind finishes with its result (for a progress display).
using ProbeProgress = std::function<void(const ProbeResult& result)>;

std::vector<ProbeResult> run_probes(const ProbePlan& plan, const ProbeProgress& progress = {});

// Upper bound of how long run_probes(plan) takes, for sizing an observation window around it.
int64_t estimated_max_ms(const ProbePlan& plan);

// Records the traffic our probes caused (raw SYN probes make the probing host send RSTs and may
// appear as NO_SOCKET drops) so rules can discount it.
void record_own_traffic(const std::vector<ProbeResult>& results, Observations& obs);

}  // namespace pktloss
