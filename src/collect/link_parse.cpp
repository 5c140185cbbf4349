#include "collect/link_parse.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "collect/nl_attr_read.h"

namespace pktloss {
namespace {

// RFC 2863 operstates as iproute2 and libnl print them.
const char* operstate_name(uint8_t st) {
  switch (st) {
    case IF_OPER_UNKNOWN:
      return "unknown";
    case IF_OPER_NOTPRESENT:
      return "notpresent";
    case IF_OPER_DOWN:
      return "down";
    case IF_OPER_LOWERLAYERDOWN:
      return "lowerlayerdown";
    case IF_OPER_TESTING:
      return "testing";
    case IF_OPER_DORMANT:
      return "dormant";
    case IF_OPER_UP:
      return "up";
    default:
      return "unknown";
  }
}

// Expected payload type of the attributes we read; everything else is skipped unread.
int attr_type(uint16_t type) {
  switch (type) {
    case IFLA_MTU:
    case IFLA_TXQLEN:
    case IFLA_LINK:
    case IFLA_MASTER:
    case IFLA_LINK_NETNSID:
      return MNL_TYPE_U32;
    case IFLA_OPERSTATE:
    case IFLA_CARRIER:
      return MNL_TYPE_U8;
    case IFLA_IFNAME:
      return MNL_TYPE_STRING;
    case IFLA_LINKINFO:
    case IFLA_XDP:
      return MNL_TYPE_NESTED;
    case IFLA_STATS64:
    case IFLA_STATS:
      return MNL_TYPE_BINARY;
    default:
      return -1;
  }
}

struct Attrs {
  const nlattr* tb[IFLA_MAX + 1] = {};
};

int collect_attr(const nlattr* a, void* data) {
  uint16_t type = mnl_attr_get_type(a);
  if (type > IFLA_MAX) return MNL_CB_OK;
  int want = attr_type(type);
  if (want < 0 || mnl_attr_validate(a, static_cast<mnl_attr_data_type>(want)) < 0)
    return MNL_CB_OK;  // unknown or malformed: ignored, the rest of the message still counts
  static_cast<Attrs*>(data)->tb[type] = a;
  return MNL_CB_OK;
}

std::string attr_string(const nlattr* a) {
  const char* s = static_cast<const char*>(mnl_attr_get_payload(a));
  return std::string(s, strnlen(s, mnl_attr_get_payload_len(a)));
}

int info_kind(const nlattr* a, void* data) {
  if (mnl_attr_get_type(a) == IFLA_INFO_KIND && mnl_attr_validate(a, MNL_TYPE_STRING) == 0)
    *static_cast<std::string*>(data) = attr_string(a);
  return MNL_CB_OK;
}

// IFLA_XDP: which modes have a program and their ids. The kernel always sends the nest (with
// XDP_ATTACHED_NONE when nothing is attached); one mode has its id in IFLA_XDP_PROG_ID, several
// (XDP_ATTACHED_MULTI) have one per-mode id each.
int xdp_attr(const nlattr* a, void* data) {
  auto* tb = static_cast<const nlattr**>(data);
  uint16_t type = mnl_attr_get_type(a);
  if (type <= IFLA_XDP_MAX) tb[type] = a;
  return MNL_CB_OK;
}

std::vector<XdpAttachment> xdp_attachments(const nlattr* nest) {
  const nlattr* tb[IFLA_XDP_MAX + 1] = {};
  mnl_attr_parse_nested(nest, xdp_attr, tb);
  std::vector<XdpAttachment> out;
  uint8_t attached = 0;
  if (!nl::read_u8(tb[IFLA_XDP_ATTACHED], attached) || attached == XDP_ATTACHED_NONE) return out;
  auto add = [&](const char* mode, const nlattr* id_attr) {
    uint32_t id = 0;
    if (nl::read_u32(id_attr, id) && id != 0) out.push_back({mode, id});
  };
  switch (attached) {
    case XDP_ATTACHED_DRV:
      add("drv", tb[IFLA_XDP_PROG_ID]);
      break;
    case XDP_ATTACHED_SKB:
      add("skb", tb[IFLA_XDP_PROG_ID]);
      break;
    case XDP_ATTACHED_HW:
      add("hw", tb[IFLA_XDP_PROG_ID]);
      break;
    default:  // XDP_ATTACHED_MULTI (and any later value): the per-mode ids say it all
      add("drv", tb[IFLA_XDP_DRV_PROG_ID]);
      add("skb", tb[IFLA_XDP_SKB_PROG_ID]);
      add("hw", tb[IFLA_XDP_HW_PROG_ID]);
      break;
  }
  return out;
}

// Older kernels send a shorter struct (fields are only ever appended): missing ones read 0.
template <typename Stats>
Stats read_stats(const nlattr* a) {
  Stats s{};
  std::memcpy(&s, mnl_attr_get_payload(a), std::min<size_t>(mnl_attr_get_payload_len(a), sizeof s));
  return s;
}

// rtnl_link_stats and rtnl_link_stats64 have the same fields (32 and 64 bits wide).
template <typename Stats>
LinkStats link_stats(const Stats& s) {
  LinkStats w;
  w.rx_packets = s.rx_packets, w.tx_packets = s.tx_packets, w.rx_bytes = s.rx_bytes;
  w.tx_bytes = s.tx_bytes, w.rx_errors = s.rx_errors, w.tx_errors = s.tx_errors;
  w.rx_dropped = s.rx_dropped, w.tx_dropped = s.tx_dropped, w.multicast = s.multicast;
  w.collisions = s.collisions, w.rx_length_errors = s.rx_length_errors;
  w.rx_over_errors = s.rx_over_errors, w.rx_crc_errors = s.rx_crc_errors;
  w.rx_frame_errors = s.rx_frame_errors, w.rx_fifo_errors = s.rx_fifo_errors;
  w.rx_missed_errors = s.rx_missed_errors, w.tx_aborted_errors = s.tx_aborted_errors;
  w.tx_carrier_errors = s.tx_carrier_errors, w.tx_fifo_errors = s.tx_fifo_errors;
  w.tx_heartbeat_errors = s.tx_heartbeat_errors, w.tx_window_errors = s.tx_window_errors;
  w.rx_compressed = s.rx_compressed, w.tx_compressed = s.tx_compressed;
  w.rx_nohandler = s.rx_nohandler;
  return w;
}

}  // namespace

std::optional<Link> link_from_nlmsg(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < MNL_NLMSG_HDRLEN ||
      mnl_nlmsg_get_payload_len(nlh) < sizeof(ifinfomsg))
    return std::nullopt;
  ifinfomsg ifi;
  std::memcpy(&ifi, mnl_nlmsg_get_payload(nlh), sizeof ifi);
  Attrs at;
  mnl_attr_parse(nlh, sizeof(ifinfomsg), collect_attr, &at);
  const auto& tb = at.tb;

  Link k;
  k.ifindex = ifi.ifi_index;
  k.admin_up = (ifi.ifi_flags & IFF_UP) != 0;
  if (tb[IFLA_IFNAME]) k.name = attr_string(tb[IFLA_IFNAME]);
  if (tb[IFLA_LINKINFO]) mnl_attr_parse_nested(tb[IFLA_LINKINFO], info_kind, &k.kind);
  k.operstate = operstate_name(tb[IFLA_OPERSTATE] ? mnl_attr_get_u8(tb[IFLA_OPERSTATE]) : 0);
  k.carrier = tb[IFLA_CARRIER] && mnl_attr_get_u8(tb[IFLA_CARRIER]) != 0;
  if (tb[IFLA_MTU]) k.mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
  if (tb[IFLA_TXQLEN]) k.txqlen = mnl_attr_get_u32(tb[IFLA_TXQLEN]);
  if (tb[IFLA_LINK]) k.link_ifindex = static_cast<int>(mnl_attr_get_u32(tb[IFLA_LINK]));
  if (tb[IFLA_LINK_NETNSID])
    k.link_netnsid = static_cast<int32_t>(mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]));
  // A device whose IFLA_LINK is itself (some tunnels) has no peer to look at. The same index in
  // ANOTHER namespace is a real peer (a veth pair moved into two fresh namespaces: both ifindex 2).
  if (k.link_ifindex == k.ifindex && k.link_netnsid < 0) k.link_ifindex = 0;
  if (tb[IFLA_MASTER]) k.master_ifindex = static_cast<int>(mnl_attr_get_u32(tb[IFLA_MASTER]));
  if (tb[IFLA_XDP]) k.xdp = xdp_attachments(tb[IFLA_XDP]);
  if (tb[IFLA_STATS64])
    k.stats = link_stats(read_stats<rtnl_link_stats64>(tb[IFLA_STATS64]));
  else if (tb[IFLA_STATS])
    k.stats = link_stats(read_stats<rtnl_link_stats>(tb[IFLA_STATS]));
  return k;
}

std::optional<Link> link_from_bytes(const void* data, size_t len) {
  if (len < sizeof(nlmsghdr)) return std::nullopt;
  nlmsghdr h;
  std::memcpy(&h, data, sizeof h);
  if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > len) return std::nullopt;
  // Attribute readers assume nlmsghdr alignment; a copy gives it for any input pointer.
  std::vector<uint32_t> aligned((h.nlmsg_len + 3) / 4);
  std::memcpy(aligned.data(), data, h.nlmsg_len);
  return link_from_nlmsg(reinterpret_cast<const nlmsghdr*>(aligned.data()));
}

}  // namespace pktloss
