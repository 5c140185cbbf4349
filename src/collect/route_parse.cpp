#include "collect/route_parse.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

#include "collect/addr_text.h"
#include "collect/nl_attr_table.h"

namespace pktloss {
namespace {

bool read_u32(const nlattr* a, uint32_t& v) {
  if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0) return false;
  v = mnl_attr_get_u32(a);
  return true;
}

size_t addr_len(int family) {
  return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

std::string addr_attr(int family, const nlattr* a, int prefix, bool default_for_zero) {
  if (!a) return "";
  return prefix_text(family, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), prefix,
                     default_for_zero);
}

// Route types as iproute2 and libnl name them.
const char* rtn_type_name(unsigned t) {
  static const char* const kNames[] = {"unspec",   "unicast",   "local",     "broadcast",
                                       "anycast",  "multicast", "blackhole", "unreachable",
                                       "prohibit", "throw",     "nat",       "xresolve"};
  return t < sizeof kNames / sizeof kNames[0] ? kNames[t] : "unknown";
}

}  // namespace

std::string prefix_text(int family, const void* addr, size_t len, int prefix,
                        bool default_for_zero) {
  size_t want = addr_len(family);
  if (default_for_zero && prefix == 0) return "default";
  if (!want || len < want) return "";
  char buf[INET6_ADDRSTRLEN] = {};
  unsigned char a[16] = {};
  std::memcpy(a, addr, want);
  size_t n = addr_text(family, a, buf);
  if (!n) return "";
  std::string s(buf, n);
  if (prefix >= 0 && static_cast<size_t>(prefix) < want * 8) s += "/" + std::to_string(prefix);
  return s;
}

namespace {

// The fixed header of a well-formed RTM_NEWROUTE (copied: the payload may be unaligned).
std::optional<rtmsg> route_header(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < MNL_NLMSG_HDRLEN ||
      mnl_nlmsg_get_payload_len(nlh) < sizeof(rtmsg))
    return std::nullopt;
  rtmsg rt;
  std::memcpy(&rt, mnl_nlmsg_get_payload(nlh), sizeof rt);
  return rt;
}

}  // namespace

std::optional<unsigned> route_type_of(const nlmsghdr* nlh) {
  auto rt = route_header(nlh);
  return rt ? std::optional<unsigned>(rt->rtm_type) : std::nullopt;
}

std::optional<ParsedRoute> route_from_nlmsg(const nlmsghdr* nlh) {
  auto header = route_header(nlh);
  if (!header) return std::nullopt;
  const rtmsg& rt = *header;
  if (rt.rtm_family != AF_INET && rt.rtm_family != AF_INET6) return std::nullopt;
  Table<RTA_MAX> tb;
  mnl_attr_parse(nlh, sizeof(rtmsg), keep_attr<RTA_MAX>, &tb);
  ParsedRoute p;
  Route& r = p.route;
  r.family = rt.rtm_family;
  r.type = rtn_type_name(rt.rtm_type);
  r.table = rt.rtm_table;
  uint32_t v = 0;
  if (read_u32(tb[RTA_TABLE], v)) r.table = v;  // tables above 255 are only in the attribute
  // No RTA_DST is the all-zero prefix of length rtm_dst_len (the default route when 0).
  if (tb[RTA_DST])
    r.dst = addr_attr(r.family, tb[RTA_DST], rt.rtm_dst_len, true);
  else if (rt.rtm_dst_len == 0)
    r.dst = "default";
  else
    r.dst = prefix_text(r.family, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16, rt.rtm_dst_len, true);
  if (read_u32(tb[RTA_OIF], v)) p.oif = static_cast<int>(v);
  if (tb[RTA_GATEWAY]) r.gateway = addr_attr(r.family, tb[RTA_GATEWAY], -1, false);
  // Multipath: the first nexthop speaks for the route (as the libnl-based collector did).
  if (!p.oif && tb[RTA_MULTIPATH] &&
      mnl_attr_get_payload_len(tb[RTA_MULTIPATH]) >= sizeof(rtnexthop)) {
    const auto* base = static_cast<const char*>(mnl_attr_get_payload(tb[RTA_MULTIPATH]));
    size_t total = mnl_attr_get_payload_len(tb[RTA_MULTIPATH]);
    rtnexthop nh;
    std::memcpy(&nh, base, sizeof nh);
    if (nh.rtnh_len >= sizeof(rtnexthop) && nh.rtnh_len <= total) {
      p.oif = nh.rtnh_ifindex;
      Table<RTA_MAX> nt;
      size_t hdr = MNL_ALIGN(sizeof(rtnexthop));
      if (nh.rtnh_len > hdr)
        mnl_attr_parse_payload(base + hdr, nh.rtnh_len - hdr, keep_attr<RTA_MAX>, &nt);
      if (nt[RTA_GATEWAY]) r.gateway = addr_attr(r.family, nt[RTA_GATEWAY], -1, false);
    }
  }
  if (tb[RTA_METRICS]) {
    Table<RTAX_MAX> mt;
    mnl_attr_parse_nested(tb[RTA_METRICS], keep_attr<RTAX_MAX>, &mt);
    if (read_u32(mt[RTAX_MTU], v)) r.mtu = v;
  }
  return p;
}

std::optional<Neighbour> failing_neighbour_from_nlmsg(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != RTM_NEWNEIGH || nlh->nlmsg_len < MNL_NLMSG_HDRLEN ||
      mnl_nlmsg_get_payload_len(nlh) < sizeof(ndmsg))
    return std::nullopt;
  ndmsg nd;
  std::memcpy(&nd, mnl_nlmsg_get_payload(nlh), sizeof nd);
  if (nd.ndm_family != AF_INET && nd.ndm_family != AF_INET6) return std::nullopt;
  // Only entries that lose packets: the kernel queues then discards what waits on them.
  if (!(nd.ndm_state & (NUD_FAILED | NUD_INCOMPLETE))) return std::nullopt;
  Table<NDA_MAX> tb;
  mnl_attr_parse(nlh, sizeof(ndmsg), keep_attr<NDA_MAX>, &tb);
  Neighbour n;
  n.ifindex = nd.ndm_ifindex;
  n.dst = addr_attr(nd.ndm_family, tb[NDA_DST], -1, false);
  n.state = (nd.ndm_state & NUD_FAILED) ? "FAILED" : "INCOMPLETE";
  return n;
}

}  // namespace pktloss
