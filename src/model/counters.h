#pragma once
// A named set of monotonically increasing kernel counters, e.g. "Tcp.RetransSegs" -> 1234.
#include <cstdint>
#include <map>
#include <string>

namespace pktloss {

using CounterMap = std::map<std::string, uint64_t>;

// The change of one counter between two snapshots. Kernel counters only grow, so a counter that
// went backwards was reset (interface re-created, module reloaded, 32-bit wrap): the delta is
// then what it counted since the reset, and `reset` says so, never a huge unsigned difference.
struct CounterDelta {
  uint64_t before = 0;
  uint64_t after = 0;
  uint64_t delta = 0;
  bool reset = false;
};

inline CounterDelta counter_delta(uint64_t before, uint64_t after) {
  if (after >= before) return {before, after, after - before, false};
  return {before, after, after, true};
}

// Value of a counter, 0 when absent (older kernels lack many counters).
inline uint64_t counter_or_zero(const CounterMap& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

}  // namespace pktloss
