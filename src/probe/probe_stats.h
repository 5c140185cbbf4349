#pragma once
// Loss rate with its Wilson 95% interval and RTT summaries for probe results.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "model/observations.h"

namespace pktloss {

// Wilson score interval (z = 1.96) for `failures` out of `trials`. {0,0} for no trials.
std::pair<double, double> wilson_interval(uint64_t failures, uint64_t trials);

// min/avg/p50/p99/max (nearest rank) of the samples in ms; nullopt when empty.
std::optional<RttStats> rtt_stats(std::vector<double> samples_ms);

// Fills loss, loss_ci_low/high from sent/received and rtt from the samples.
void finish_result(ProbeResult& r, const std::vector<double>& rtt_ms);

}  // namespace pktloss
