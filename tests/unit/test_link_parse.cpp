// RTM_NEWLINK messages built here by hand and fed to link_from_nlmsg, the function the links
// collector's dump callback (and the veth-peer lookup) calls.
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <vector>

#include "collect/link_parse.h"

using namespace pktloss;

namespace {

struct Msg {
  alignas(nlmsghdr) char buf[4096] = {};
  nlmsghdr* nlh;
  Msg(uint16_t type = RTM_NEWLINK) {
    nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_index = 7;
    ifi->ifi_flags = IFF_UP;
  }
};

Msg veth_msg() {
  Msg m;
  mnl_attr_put_strz(m.nlh, IFLA_IFNAME, "va1");
  mnl_attr_put_u32(m.nlh, IFLA_MTU, 1400);
  mnl_attr_put_u32(m.nlh, IFLA_TXQLEN, 1000);
  mnl_attr_put_u8(m.nlh, IFLA_OPERSTATE, IF_OPER_UP);
  mnl_attr_put_u8(m.nlh, IFLA_CARRIER, 1);
  mnl_attr_put_u32(m.nlh, IFLA_LINK, 8);
  mnl_attr_put_u32(m.nlh, IFLA_LINK_NETNSID, 3);
  mnl_attr_put_u32(m.nlh, IFLA_MASTER, 2);
  nlattr* info = mnl_attr_nest_start(m.nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(m.nlh, IFLA_INFO_KIND, "veth");
  mnl_attr_nest_end(m.nlh, info);
  rtnl_link_stats64 st{};
  st.rx_packets = 10;
  st.tx_dropped = 4;
  st.rx_missed_errors = 2;
  st.rx_nohandler = 9;
  mnl_attr_put(m.nlh, IFLA_STATS64, sizeof st, &st);
  return m;
}

}  // namespace

TEST(LinkParse, EveryFieldFromACraftedMessage) {
  Msg m = veth_msg();
  auto l = link_from_nlmsg(m.nlh);
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->ifindex, 7);
  EXPECT_EQ(l->name, "va1");
  EXPECT_EQ(l->kind, "veth");
  EXPECT_EQ(l->operstate, "up");
  EXPECT_TRUE(l->admin_up);
  EXPECT_TRUE(l->carrier);
  EXPECT_EQ(l->mtu, 1400u);
  EXPECT_EQ(l->txqlen, 1000u);
  EXPECT_EQ(l->link_ifindex, 8);
  EXPECT_EQ(l->link_netnsid, 3);
  EXPECT_EQ(l->master_ifindex, 2);
  EXPECT_EQ(l->stats.rx_packets, 10u);
  EXPECT_EQ(l->stats.tx_dropped, 4u);
  EXPECT_EQ(l->stats.rx_missed_errors, 2u);
  EXPECT_EQ(l->stats.rx_nohandler, 9u);
}

TEST(LinkParse, SelfLinkInTheSameNamespaceIsNoPeer) {
  Msg m;
  mnl_attr_put_strz(m.nlh, IFLA_IFNAME, "tun0");
  mnl_attr_put_u32(m.nlh, IFLA_LINK, 7);
  auto l = link_from_nlmsg(m.nlh);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->link_ifindex, 0);
  EXPECT_EQ(l->operstate, "unknown");
}

TEST(LinkParse, OldKernelStatsFallBackAndShortStats64ReadZeros) {
  Msg m;
  rtnl_link_stats st{};
  st.rx_dropped = 5;
  mnl_attr_put(m.nlh, IFLA_STATS, sizeof st, &st);
  auto l = link_from_nlmsg(m.nlh);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->stats.rx_dropped, 5u);

  Msg s;
  rtnl_link_stats64 st64{};
  st64.rx_packets = 3;
  st64.rx_nohandler = 99;  // cut off below: an older, shorter struct
  mnl_attr_put(s.nlh, IFLA_STATS64, offsetof(rtnl_link_stats64, rx_nohandler), &st64);
  auto k = link_from_nlmsg(s.nlh);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->stats.rx_packets, 3u);
  EXPECT_EQ(k->stats.rx_nohandler, 0u);
}

TEST(LinkParse, WrongLengthsAreIgnoredNotRead) {
  Msg m;
  uint16_t short_mtu = 1500;
  mnl_attr_put(m.nlh, IFLA_MTU, sizeof short_mtu, &short_mtu);  // u32 expected
  mnl_attr_put(m.nlh, IFLA_IFNAME, 0, nullptr);                 // empty string
  mnl_attr_put_u32(m.nlh, IFLA_OPERSTATE, IF_OPER_UP);          // u8 expected
  auto l = link_from_nlmsg(m.nlh);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->mtu, 0u);
  EXPECT_EQ(l->name, "");
  EXPECT_EQ(l->operstate, "unknown");
}

TEST(LinkParse, NameWithoutNulIsBounded) {
  Msg m;
  mnl_attr_put(m.nlh, IFLA_IFNAME, 4, "eth0");  // no terminating NUL
  mnl_attr_put_u32(m.nlh, IFLA_MTU, 9000);
  auto l = link_from_nlmsg(m.nlh);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->name, "eth0");
  EXPECT_EQ(l->mtu, 9000u);
}

TEST(LinkParse, WrongTypeOrShortHeaderIsRejected) {
  Msg q(RTM_NEWQDISC);
  EXPECT_FALSE(link_from_nlmsg(q.nlh));
  alignas(nlmsghdr) char buf[64] = {};
  nlmsghdr* h = mnl_nlmsg_put_header(buf);
  h->nlmsg_type = RTM_NEWLINK;
  mnl_nlmsg_put_extra_header(h, 4);  // less than an ifinfomsg
  EXPECT_FALSE(link_from_nlmsg(h));
}

TEST(LinkParse, EveryTruncationAndRandomByteNeverCrashes) {
  Msg m = veth_msg();
  std::vector<uint8_t> full(m.buf, m.buf + m.nlh->nlmsg_len);
  // Every prefix, with nlmsg_len claiming the full length (must be rejected) or the prefix.
  for (size_t cut = 0; cut <= full.size(); ++cut) {
    EXPECT_FALSE(link_from_bytes(full.data(), cut).has_value() && cut < full.size()) << cut;
    std::vector<uint8_t> part(full.begin(), full.begin() + cut);
    if (cut >= sizeof(nlmsghdr)) {
      uint32_t len = static_cast<uint32_t>(cut);
      std::memcpy(part.data(), &len, sizeof len);
      link_from_bytes(part.data(), part.size());
    }
  }
  uint32_t x = 99;
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> junk = full;
    for (int i = 0; i < 6; ++i) {
      x = x * 1103515245u + 12345u;
      junk[sizeof(nlmsghdr) + (x >> 8) % (junk.size() - sizeof(nlmsghdr))] =
          static_cast<uint8_t>(x >> 24);
    }
    link_from_bytes(junk.data(), junk.size());
  }
}
