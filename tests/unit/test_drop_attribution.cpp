// rules/drop_attribution: the tracer's raw rows get their layer, finding and namespace here.
#include <gtest/gtest.h>

#include "model/finding_kind.h"
#include "rules/drop_attribution.h"

namespace pktloss {
namespace {

DropEventRow raw(std::string reason, std::string function, uint64_t netns, std::string dev) {
  DropEventRow r;
  r.reason = std::move(reason);
  r.function = std::move(function);
  r.location = r.function + "+0x10";
  r.proto = "tcp";
  r.netns_inode = netns;
  r.netns = "netns/ns" + std::to_string(netns);
  r.ifindex = 2;
  r.dev = std::move(dev);
  r.packets = 7;
  return r;
}

TEST(DropAttribution, VethMtuDropMovesToTheReceivingPeer) {
  DropEventRow r = raw("NOT_SPECIFIED", "__dev_forward_skb", 100, "veth-a");
  r.peer = DropPeerDevice{200, "netns/server", 5, "veth-b"};
  auto out = attribute_drops({r}, DropAttributionOptions{{200}, false});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].finding_id, kinds::link_mtu_low.id);
  EXPECT_EQ(out[0].layer, "link");
  EXPECT_EQ(out[0].netns_inode, 200u);
  EXPECT_EQ(out[0].netns, "netns/server");
  EXPECT_EQ(out[0].dev, "veth-b");
  EXPECT_EQ(out[0].ifindex, 5);
  EXPECT_NE(out[0].explanation.find("sent by veth-a in netns/ns100"), std::string::npos);
  EXPECT_FALSE(out[0].peer.has_value());
}

TEST(DropAttribution, OrdinaryDropStaysOnItsDeviceEvenWithAPeer) {
  DropEventRow r = raw("NETFILTER_DROP", "nft_do_chain", 100, "veth-a");
  r.peer = DropPeerDevice{200, "netns/server", 5, "veth-b"};
  auto out = attribute_drops({r}, DropAttributionOptions{});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].finding_id, kinds::netfilter_drop_rule.id);
  EXPECT_EQ(out[0].netns_inode, 100u);
  EXPECT_EQ(out[0].dev, "veth-a");
}

TEST(DropAttribution, ScopeIsAppliedAfterReHoming) {
  DropEventRow into = raw("NOT_SPECIFIED", "is_skb_forwardable", 100, "veth-a");
  into.peer = DropPeerDevice{200, "netns/server", 5, "veth-b"};
  DropEventRow elsewhere = raw("NETFILTER_DROP", "nft_do_chain", 100, "veth-a");
  auto out = attribute_drops({into, elsewhere}, DropAttributionOptions{{200}, false});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].netns_inode, 200u);
}

TEST(DropAttribution, BenignFreesAreHiddenUnlessAskedFor) {
  DropEventRow purge = raw("NOT_SPECIFIED", "skb_queue_purge", 100, "");
  EXPECT_TRUE(attribute_drops({purge}, DropAttributionOptions{}).empty());
  auto shown = attribute_drops({purge}, DropAttributionOptions{{}, true});
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].layer, "socket");
}

TEST(DropAttribution, PeerDropWithoutAKnownPeerStaysWhereItWasCounted) {
  DropEventRow r = raw("NOT_SPECIFIED", "__dev_forward_skb", 100, "veth-a");
  auto out = attribute_drops({r}, DropAttributionOptions{});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].netns_inode, 100u);
  EXPECT_EQ(out[0].finding_id, kinds::link_mtu_low.id);
}

}  // namespace
}  // namespace pktloss
