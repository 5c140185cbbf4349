// RTM_NEWROUTE / RTM_NEWNEIGH messages built by hand, fed to the parse
// functions collect/routes.cpp calls for every dumped message.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "collect/route_parse.h"

using namespace pktloss;

namespace {

struct Msg {
  alignas(nlmsghdr) char buf[2048] = {};
  nlmsghdr* nlh;
  template <typename Hdr>
  Hdr* start(uint16_t type) {
    nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    return static_cast<Hdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(Hdr)));
  }
};

void put_addr(nlmsghdr* nlh, uint16_t type, int family, const char* text) {
  unsigned char a[16] = {};
  ASSERT_EQ(inet_pton(family, text, a), 1);
  mnl_attr_put(nlh, type, family == AF_INET ? 4 : 16, a);
}

}  // namespace

TEST(RouteParse, BlackholeInATableAbove255WithMtu) {
  Msg m;
  auto* rt = m.start<rtmsg>(RTM_NEWROUTE);
  rt->rtm_family = AF_INET;
  rt->rtm_dst_len = 24;
  rt->rtm_type = RTN_BLACKHOLE;
  rt->rtm_table = RT_TABLE_COMPAT;
  put_addr(m.nlh, RTA_DST, AF_INET, "10.9.8.0");
  mnl_attr_put_u32(m.nlh, RTA_TABLE, 1000);
  nlattr* mx = mnl_attr_nest_start(m.nlh, RTA_METRICS);
  mnl_attr_put_u32(m.nlh, RTAX_MTU, 1280);
  mnl_attr_nest_end(m.nlh, mx);
  auto p = route_from_nlmsg(m.nlh);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->route.dst, "10.9.8.0/24");
  EXPECT_EQ(p->route.type, "blackhole");
  EXPECT_EQ(p->route.table, 1000u);
  EXPECT_EQ(p->route.mtu, 1280u);
  EXPECT_EQ(p->oif, 0);
}

TEST(RouteParse, DefaultViaGatewayAndHostRoute) {
  Msg m;
  auto* rt = m.start<rtmsg>(RTM_NEWROUTE);
  rt->rtm_family = AF_INET6;
  rt->rtm_type = RTN_UNICAST;
  rt->rtm_table = RT_TABLE_MAIN;
  put_addr(m.nlh, RTA_GATEWAY, AF_INET6, "fe80::1");
  mnl_attr_put_u32(m.nlh, RTA_OIF, 4);
  auto p = route_from_nlmsg(m.nlh);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->route.dst, "default");
  EXPECT_EQ(p->route.gateway, "fe80::1");
  EXPECT_EQ(p->route.table, 254u);
  EXPECT_EQ(p->oif, 4);

  Msg h;
  auto* hr = h.start<rtmsg>(RTM_NEWROUTE);
  hr->rtm_family = AF_INET;
  hr->rtm_dst_len = 32;
  hr->rtm_type = RTN_LOCAL;
  put_addr(h.nlh, RTA_DST, AF_INET, "127.0.0.1");
  auto q = route_from_nlmsg(h.nlh);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->route.dst, "127.0.0.1");
  EXPECT_EQ(q->route.type, "local");
  // The collector reads the type first, before any attribute, to skip per-address routes.
  EXPECT_EQ(route_type_of(h.nlh), std::optional<unsigned>(RTN_LOCAL));
  h.nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;  // shorter than an rtmsg
  EXPECT_FALSE(route_type_of(h.nlh));
}

TEST(RouteParse, MultipathTakesTheFirstNexthop) {
  Msg m;
  auto* rt = m.start<rtmsg>(RTM_NEWROUTE);
  rt->rtm_family = AF_INET;
  rt->rtm_type = RTN_UNICAST;
  nlattr* mp = mnl_attr_nest_start(m.nlh, RTA_MULTIPATH);
  auto* nh = static_cast<rtnexthop*>(mnl_nlmsg_get_payload_tail(m.nlh));
  m.nlh->nlmsg_len += MNL_ALIGN(sizeof(rtnexthop));
  nh->rtnh_ifindex = 6;
  put_addr(m.nlh, RTA_GATEWAY, AF_INET, "192.0.2.1");
  nh->rtnh_len = static_cast<uint16_t>(static_cast<char*>(mnl_nlmsg_get_payload_tail(m.nlh)) -
                                       reinterpret_cast<char*>(nh));
  mnl_attr_nest_end(m.nlh, mp);
  auto p = route_from_nlmsg(m.nlh);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->oif, 6);
  EXPECT_EQ(p->route.gateway, "192.0.2.1");
}

TEST(RouteParse, OtherFamiliesAndShortAddressesAreHarmless) {
  Msg m;
  auto* rt = m.start<rtmsg>(RTM_NEWROUTE);
  rt->rtm_family = 128;  // RTNL_FAMILY_IPMR
  EXPECT_FALSE(route_from_nlmsg(m.nlh));
  Msg s;
  auto* r2 = s.start<rtmsg>(RTM_NEWROUTE);
  r2->rtm_family = AF_INET6;
  r2->rtm_dst_len = 64;
  uint32_t four = 0;
  mnl_attr_put(s.nlh, RTA_DST, sizeof four, &four);  // 4 bytes for an IPv6 address
  mnl_attr_put(s.nlh, RTA_OIF, 2, &four);            // 2 bytes for a u32
  auto p = route_from_nlmsg(s.nlh);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->route.dst, "");
  EXPECT_EQ(p->oif, 0);
}

TEST(NeighbourParse, OnlyFailingEntries) {
  Msg m;
  auto* nd = m.start<ndmsg>(RTM_NEWNEIGH);
  nd->ndm_family = AF_INET;
  nd->ndm_ifindex = 3;
  nd->ndm_state = NUD_FAILED;
  put_addr(m.nlh, NDA_DST, AF_INET, "10.0.0.9");
  auto n = failing_neighbour_from_nlmsg(m.nlh);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->dst, "10.0.0.9");
  EXPECT_EQ(n->state, "FAILED");
  EXPECT_EQ(n->ifindex, 3);
  nd->ndm_state = NUD_REACHABLE;
  EXPECT_FALSE(failing_neighbour_from_nlmsg(m.nlh));
}
