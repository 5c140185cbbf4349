#include "probe/probe_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pktloss {

std::pair<double, double> wilson_interval(uint64_t failures, uint64_t trials) {
  if (trials == 0) return {0.0, 0.0};
  failures = std::min(failures, trials);
  const double z = 1.959964;
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(failures) / n;
  const double z2 = z * z;
  const double denom = 1 + z2 / n;
  const double center = (p + z2 / (2 * n)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;
  // Exact ends at 0 and n failures: rounding must not make "no loss" look like some loss.
  double lo = failures == 0 ? 0.0 : std::max(0.0, center - half);
  double hi = failures == trials ? 1.0 : std::min(1.0, center + half);
  return {lo, hi};
}

std::optional<RttStats> rtt_stats(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) {
    size_t idx = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(idx, 1, v.size()) - 1];
  };
  RttStats s;
  s.min_ms = v.front();
  s.max_ms = v.back();
  s.avg_ms = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  s.p50_ms = rank(0.50);
  s.p99_ms = rank(0.99);
  return s;
}

void finish_result(ProbeResult& r, const std::vector<double>& rtt_ms) {
  r.received = std::min(r.received, r.sent);
  uint64_t lost = r.sent - r.received;
  r.loss = r.sent ? static_cast<double>(lost) / static_cast<double>(r.sent) : 0.0;
  auto [lo, hi] = wilson_interval(lost, r.sent);
  r.loss_ci_low = lo;
  r.loss_ci_high = hi;
  r.rtt = rtt_stats(rtt_ms);
}

}  // namespace pktloss
