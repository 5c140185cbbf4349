#pragma once
// Netlink attributes of one nesting level, indexed by type, for the rtnetlink parse functions:
//   Table<RTA_MAX> tb;  mnl_attr_parse(nlh, sizeof(rtmsg), keep_attr<RTA_MAX>, &tb);
// Types above N are ignored; lengths are checked where each attribute is read (the bytes are the
// kernel's, but parsing them never trusts a length it did not check).
#include <libmnl/libmnl.h>

#include <cstddef>
#include <cstdint>

namespace pktloss {

template <size_t N>
struct Table {
  const nlattr* tb[N + 1] = {};
  const nlattr* operator[](size_t i) const { return i <= N ? tb[i] : nullptr; }
};

template <size_t N>
int keep_attr(const nlattr* a, void* data) {
  uint16_t type = mnl_attr_get_type(a);
  if (type <= N) static_cast<Table<N>*>(data)->tb[type] = a;
  return MNL_CB_OK;
}

}  // namespace pktloss
