// libFuzzer target for the rtnetlink parse functions of src/collect (untrusted kernel bytes):
// the first byte picks the message type, the rest is the message. Built with
//   clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -Isrc fuzz/fuzz_rtnl_parse.cpp \
//     src/collect/link_parse.cpp src/collect/qdisc_parse.cpp src/collect/route_parse.cpp -lmnl
#include <linux/rtnetlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "collect/link_parse.h"
#include "collect/qdisc_parse.h"
#include "collect/route_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 + sizeof(nlmsghdr)) return 0;
  static const uint16_t kTypes[] = {RTM_NEWLINK, RTM_NEWQDISC, RTM_NEWROUTE, RTM_NEWNEIGH};
  uint16_t type = kTypes[data[0] % 4];
  std::vector<uint8_t> msg(data + 1, data + size);
  nlmsghdr h;
  std::memcpy(&h, msg.data(), sizeof h);
  h.nlmsg_type = type;  // the type is forced so every input reaches a parser
  std::memcpy(msg.data(), &h, sizeof h);
  pktloss::link_from_bytes(msg.data(), msg.size());
  pktloss::qdisc_from_bytes(msg.data(), msg.size());
  // route_from_nlmsg / failing_neighbour_from_nlmsg take a checked message: check it here.
  if (h.nlmsg_len >= sizeof(nlmsghdr) && h.nlmsg_len <= msg.size()) {
    std::vector<uint32_t> aligned((h.nlmsg_len + 3) / 4);
    std::memcpy(aligned.data(), msg.data(), h.nlmsg_len);
    auto* nlh = reinterpret_cast<const nlmsghdr*>(aligned.data());
    pktloss::route_from_nlmsg(nlh);
    pktloss::failing_neighbour_from_nlmsg(nlh);
  }
  return 0;
}
