#pragma once
// The time line of `serve` / `watch`: drops per second of each layer of the packet path (all
// observed namespaces together), one sample per collection, in a ring of fixed capacity: the
// last ten minutes at the monitor's interval take the same memory after a day as after an hour.
#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

#include "model/finding.h"

namespace pktloss {

inline constexpr size_t kLayerCount = std::size(kAllLayers);

struct RateSample {
  double unix_s = 0;                        // when the collection ended
  std::array<double, kLayerCount> per_s{};  // indexed like kAllLayers; never negative
  std::array<bool, kLayerCount> known{};    // false: no counter of that layer in any namespace
};

class RateTimeline {
 public:
  explicit RateTimeline(size_t capacity = 120) : ring_(capacity < 2 ? 2 : capacity) {}

  // Appends a sample, the oldest giving way when full. A rate that is negative or not a number
  // (a counter reset seen as a difference, a zero interval) is stored as 0.
  void push(RateSample s) {
    for (auto& v : s.per_s)
      if (!(v > 0) || !std::isfinite(v)) v = 0;
    ring_[next_] = s;
    next_ = (next_ + 1) % ring_.size();
    if (size_ < ring_.size()) ++size_;
  }
  size_t size() const { return size_; }
  size_t capacity() const { return ring_.size(); }
  // Oldest first.
  std::vector<RateSample> samples() const {
    std::vector<RateSample> out;
    out.reserve(size_);
    size_t first = (next_ + ring_.size() - size_) % ring_.size();
    for (size_t i = 0; i < size_; ++i) out.push_back(ring_[(first + i) % ring_.size()]);
    return out;
  }

 private:
  std::vector<RateSample> ring_;
  size_t next_ = 0, size_ = 0;
};

}  // namespace pktloss
