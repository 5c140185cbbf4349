#pragma once
// Open-addressing hash map from a direction-independent 5-tuple to a flow index: one probe
// sequence over a flat array per packet, no allocation except when the table doubles.
#include <cstdint>
#include <cstring>
#include <vector>

#include "capture/packet_parser.h"

namespace pktloss::capture {

// Both directions of a conversation map to the same key: the lower endpoint goes first.
struct FlowKey {
  std::array<uint8_t, 16> a{}, b{};
  uint16_t pa = 0, pb = 0;
  uint8_t proto = 0, family = 0;
  uint8_t pad[2] = {0, 0};
  bool operator==(const FlowKey& o) const { return std::memcmp(this, &o, sizeof *this) == 0; }
};
static_assert(sizeof(FlowKey) == 40);

// Builds the key for a packet's tuple; `src_is_a` tells which endpoint sent it.
inline FlowKey make_flow_key(const Tuple& t, bool& src_is_a) {
  FlowKey k;
  int c = std::memcmp(t.src.data(), t.dst.data(), 16);
  src_is_a = c < 0 || (c == 0 && t.sport <= t.dport);
  k.a = src_is_a ? t.src : t.dst;
  k.b = src_is_a ? t.dst : t.src;
  k.pa = src_is_a ? t.sport : t.dport;
  k.pb = src_is_a ? t.dport : t.sport;
  k.proto = t.proto;
  k.family = t.family;
  return k;
}

inline uint64_t hash_flow_key(const FlowKey& k) {
  uint64_t w[5];
  std::memcpy(w, &k, sizeof w);
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (uint64_t x : w) {
    h ^= x;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
  }
  return h;
}

class FlowTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  explicit FlowTable(uint32_t initial_capacity = 1024) {
    uint32_t cap = 16;
    while (cap < initial_capacity) cap <<= 1;
    slots_.assign(cap, Slot{});
  }

  // The flow index for key, or kNone.
  uint32_t find(const FlowKey& k, uint64_t h) const {
    uint32_t mask = static_cast<uint32_t>(slots_.size() - 1);
    for (uint32_t i = static_cast<uint32_t>(h) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.index == kNone) return kNone;
      if (s.hash == static_cast<uint32_t>(h >> 32) && s.key == k) return s.index;
    }
  }

  // Inserts key (absent) with the next index, which it returns.
  uint32_t insert(const FlowKey& k, uint64_t h) {
    if ((keys_.size() + 1) * 2 > slots_.size()) grow();
    uint32_t index = static_cast<uint32_t>(keys_.size());
    keys_.push_back(k);
    place(k, h, index);
    return index;
  }

  // Points key (present) at a new index, for the next connection on a reused 5-tuple; the old
  // index keeps its key for reporting.
  uint32_t replace(const FlowKey& k, uint64_t h) {
    uint32_t index = static_cast<uint32_t>(keys_.size());
    keys_.push_back(k);
    uint32_t mask = static_cast<uint32_t>(slots_.size() - 1);
    for (uint32_t i = static_cast<uint32_t>(h) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.index == kNone) break;
      if (s.hash == static_cast<uint32_t>(h >> 32) && s.key == k) {
        s.index = index;
        return index;
      }
    }
    place(k, h, index);
    return index;
  }

  size_t size() const { return keys_.size(); }
  const FlowKey& key(uint32_t index) const { return keys_[index]; }

 private:
  // The key lives in the slot too: a lookup touches one cache line, not three.
  struct Slot {
    FlowKey key;
    uint32_t hash = 0;
    uint32_t index = kNone;
  };

  void place(const FlowKey& k, uint64_t h, uint32_t index) {
    uint32_t mask = static_cast<uint32_t>(slots_.size() - 1);
    uint32_t i = static_cast<uint32_t>(h) & mask;
    while (slots_[i].index != kNone) i = (i + 1) & mask;
    slots_[i] = Slot{k, static_cast<uint32_t>(h >> 32), index};
  }

  void replace_slot(const FlowKey& k, uint64_t h, uint32_t index) {
    uint32_t mask = static_cast<uint32_t>(slots_.size() - 1);
    for (uint32_t i = static_cast<uint32_t>(h) & mask;; i = (i + 1) & mask)
      if (slots_[i].hash == static_cast<uint32_t>(h >> 32) && slots_[i].key == k) {
        slots_[i].index = index;
        return;
      }
  }

  void grow() {
    slots_.assign(slots_.size() * 2, Slot{});
    // A reused 5-tuple has several indices: the last one is the live flow.
    for (uint32_t i = 0; i < keys_.size(); ++i) {
      uint64_t h = hash_flow_key(keys_[i]);
      if (find(keys_[i], h) == kNone)
        place(keys_[i], h, i);
      else
        replace_slot(keys_[i], h, i);
    }
  }

  std::vector<Slot> slots_;
  std::vector<FlowKey> keys_;
};

}  // namespace pktloss::capture
