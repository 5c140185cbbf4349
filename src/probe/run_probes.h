#pragma once
// The probe API `diagnose` and `probe` use: run every kind in the plan, one after another.
// Call it inside the probing namespace (wrap it in run_in_netns).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/observations.h"
#include "probe/probe_plan.h"

namespace pktloss {

// Called after each kind finishes with a one-line summary (for -v / a progress display).
using ProbeProgress = std::function<void(const std::string& line)>;

std::vector<ProbeResult> run_probes(const ProbePlan& plan, const ProbeProgress& progress = {});

// Upper bound of how long run_probes(plan) takes, for sizing an observation window around it.
int64_t estimated_max_ms(const ProbePlan& plan);

// Records the traffic our probes caused (raw SYN probes make the probing host send RSTs and may
// appear as NO_SOCKET drops) so rules can discount it.
void record_own_traffic(const std::vector<ProbeResult>& results, Observations& obs);

// One line per result: "tcp-syn  sent 20 answered 20 loss 0.0% [0.0-16.1%] rtt ...".
std::string format_probe_line(const ProbeResult& r);

}  // namespace pktloss
