#pragma once
// Accumulates a dump of unknown length in fixed-size chunks, then moves it into a vector of
// exactly that length. A growing vector keeps up to half its capacity unused and, at each
// doubling, holds the old and the new array at once: for 10,000 links that was 17 MB at the
// doubling and 12 MB kept for 7 MB of links (peak RSS is a target: < 30 MB at 10,000 links).
#include <cstddef>
#include <utility>
#include <vector>

namespace pktloss {

template <typename T, size_t kChunk = 1024>
class Chunked {
 public:
  void push_back(T&& v) {
    if (chunks_.empty() || chunks_.back().size() == kChunk) {
      chunks_.emplace_back();
      chunks_.back().reserve(kChunk);
    }
    chunks_.back().push_back(std::move(v));
    ++size_;
  }
  size_t size() const { return size_; }
  // Appends everything to `out` (reserved once) and empties this, freeing chunk by chunk.
  void move_into(std::vector<T>& out) {
    out.reserve(out.size() + size_);
    for (auto& c : chunks_) {
      for (auto& v : c) out.push_back(std::move(v));
      std::vector<T>().swap(c);
    }
    chunks_.clear();
    size_ = 0;
  }

 private:
  std::vector<std::vector<T>> chunks_;
  size_t size_ = 0;
};

}  // namespace pktloss
