#pragma once
// Bounded reads of one netlink attribute's payload, shared by the rtnetlink parsers: each
// returns false (and leaves `out` alone) when the attribute is missing or too short.
#include <libmnl/libmnl.h>

#include <cstdint>
#include <cstring>

namespace pktloss::nl {

// Copies a fixed-size uapi struct out of an attribute at least that long.
template <typename T>
inline bool read_struct(const nlattr* a, T& out) {
  if (!a || mnl_attr_get_payload_len(a) < sizeof(T)) return false;
  std::memcpy(&out, mnl_attr_get_payload(a), sizeof(T));
  return true;
}

inline bool read_u8(const nlattr* a, uint8_t& v) {
  if (!a || mnl_attr_validate(a, MNL_TYPE_U8) < 0) return false;
  v = mnl_attr_get_u8(a);
  return true;
}

inline bool read_u32(const nlattr* a, uint32_t& v) {
  if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0) return false;
  v = mnl_attr_get_u32(a);
  return true;
}

inline bool read_u64(const nlattr* a, uint64_t& v) {
  if (!a || mnl_attr_get_payload_len(a) != sizeof(uint64_t)) return false;
  std::memcpy(&v, mnl_attr_get_payload(a), sizeof v);  // may be only 4-byte aligned
  return true;
}

}  // namespace pktloss::nl
