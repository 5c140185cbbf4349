#pragma once
// Bounded recording of one TCP direction for the time-sequence graph: its data segments and the
// peer's ACKs and SACK blocks of them. Per direction it keeps the first kHead events, then a
// ring of the last kRing; a retransmission moves the ring into the kept events (the context
// before it) and keeps the kAfter events that follow. At most kMax events are kept per direction
// and a capture-wide budget bounds them all, so a big pcap costs a constant amount of memory.
#include <cstdint>
#include <vector>

#include "model/capture.h"

namespace pktloss::capture {

// Events every recorder of one capture may hold together; what it refuses is counted.
struct TraceBudget {
  uint64_t left = 0;
  uint64_t omitted = 0;
};

class SeqRecorder {
 public:
  static constexpr size_t kHead = 512, kRing = 256, kAfter = 512, kMax = 4096;

  // `trouble`: this event is a retransmission, worth its context.
  void add(const SeqEvent& e, bool trouble, TraceBudget& budget) {
    if (kept_.size() < kHead) {
      // Most connections are short: one allocation holds all of them.
      if (kept_.capacity() == 0) kept_.reserve(16);
      if (take(budget)) kept_.push_back(e);
      return;
    }
    if (trouble) {
      flush(budget);
      after_ = kAfter;
    }
    if (after_ > 0 && kept_.size() < kMax) {
      --after_;
      if (take(budget)) kept_.push_back(e);
      return;
    }
    if (ring_.size() < kRing) {
      if (take(budget)) ring_.push_back(e);
      return;
    }
    ring_[ring_next_] = e;  // the oldest event of the ring gives way
    ring_next_ = (ring_next_ + 1) % kRing;
    ++omitted_;
  }

  // Forgets everything (a connection that ended cleanly needs no graph) and gives the budget
  // back.
  void release(TraceBudget& budget) {
    budget.left += kept_.size() + ring_.size();
    kept_ = {};
    ring_ = {};
    ring_next_ = after_ = 0;
  }

  // The kept events followed by the ring's, in capture order.
  std::vector<SeqEvent> events() const {
    std::vector<SeqEvent> out = kept_;
    for (size_t i = 0; i < ring_.size(); ++i) out.push_back(ring_[(ring_next_ + i) % ring_.size()]);
    return out;
  }
  uint64_t omitted() const { return omitted_; }

 private:
  bool take(TraceBudget& budget) {
    if (budget.left == 0) {
      ++omitted_;
      ++budget.omitted;
      return false;
    }
    --budget.left;
    return true;
  }
  void flush(TraceBudget& budget) {
    for (size_t i = 0; i < ring_.size(); ++i) {
      if (kept_.size() < kMax) {
        kept_.push_back(ring_[(ring_next_ + i) % ring_.size()]);
      } else {
        ++omitted_;
        ++budget.left;
      }
    }
    ring_.clear();
    ring_next_ = 0;
  }

  std::vector<SeqEvent> kept_, ring_;
  size_t ring_next_ = 0, after_ = 0;
  uint64_t omitted_ = 0;
};

}  // namespace pktloss::capture
