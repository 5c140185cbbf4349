// libFuzzer target for the netlink parsers of src/collect (untrusted kernel bytes): links
// (stats64, IFLA_* nesting), qdiscs (every kind's TCA_OPTIONS, netem's nested attributes), routes,
// neighbours, netconf, sock_diag replies and tc filters with their actions. Byte 0 picks the
// parser, the rest is one message (nlmsghdr first; its type is forced so every input reaches the
// parser it picked).
#include <linux/inet_diag.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <string_view>
#include <vector>

#include "collect/link_parse.h"
#include "collect/netconf.h"
#include "collect/qdisc_parse.h"
#include "collect/route_parse.h"
#include "collect/sock_diag.h"
#include "collect/tc_filter_parse.h"
#include "fuzz/fuzz_entry.h"

PKTLOSS_FUZZ_TARGET(fuzz_rtnl_parse) {
  if (size < 1 + sizeof(nlmsghdr)) return 0;
  static const uint16_t kTypes[] = {RTM_NEWLINK,   RTM_NEWQDISC,   RTM_NEWROUTE,
                                    RTM_NEWNEIGH,  RTM_NEWNETCONF, SOCK_DIAG_BY_FAMILY,
                                    RTM_NEWTFILTER};
  uint8_t pick = data[0] % (sizeof kTypes / sizeof kTypes[0]);
  uint16_t type = kTypes[pick];
  std::vector<uint8_t> msg(data + 1, data + size);
  nlmsghdr h;
  std::memcpy(&h, msg.data(), sizeof h);
  h.nlmsg_type = type;
  std::memcpy(msg.data(), &h, sizeof h);
  // The byte-buffer entry points check the header themselves.
  if (type == RTM_NEWLINK) pktloss::link_from_bytes(msg.data(), msg.size());
  if (type == RTM_NEWQDISC) pktloss::qdisc_from_bytes(msg.data(), msg.size());
  if (type == RTM_NEWTFILTER) pktloss::tc_filter_from_bytes(msg.data(), msg.size());
  // The others take a message the receive loop (mnl_cb_run, NLMSG_OK) checked: check it here,
  // in a buffer of exactly nlmsg_len bytes so a read past the message is caught.
  if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > msg.size()) return 0;
  std::vector<uint32_t> aligned((h.nlmsg_len + 3) / 4);
  std::memcpy(aligned.data(), msg.data(), h.nlmsg_len);
  auto* nlh = reinterpret_cast<const nlmsghdr*>(aligned.data());
  switch (type) {
    case RTM_NEWLINK:
    case RTM_NEWQDISC:
    case RTM_NEWTFILTER:
      break;  // done above, through the same checked copy
    case RTM_NEWROUTE:
      pktloss::route_from_nlmsg(nlh);
      break;
    case RTM_NEWNEIGH:
      pktloss::failing_neighbour_from_nlmsg(nlh);
      break;
    case RTM_NEWNETCONF: {
      std::map<int, int> rp;
      pktloss::parse_netconf_msg(nlh, rp);
      break;
    }
    default: {  // sock_diag: the payload after the header, as sock_diag_dump hands it over
      std::string_view payload(reinterpret_cast<const char*>(aligned.data()) + sizeof(nlmsghdr),
                               h.nlmsg_len - sizeof(nlmsghdr));
      pktloss::Socket s;
      pktloss::parse_inet_diag_msg(payload, (h.nlmsg_flags & 1) ? IPPROTO_UDP : IPPROTO_TCP, s);
      break;
    }
  }
  return 0;
}
