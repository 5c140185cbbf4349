// link.* rules from fixture snapshots: each fires on its fault and stays quiet when healthy.
#include <gtest/gtest.h>

#include "test_link_fixture.h"

using namespace pktloss;
using namespace pktloss::test;

TEST(LinkMtuLow, ServerEndWithMtu100IsCriticalWithPeerMtuFix) {
  auto r = run(load_pair("link/mtu_low_server.json"));
  auto fs = with_prefix(r, "link.");
  const Finding* f = find_id(fs, "link.mtu_low");
  ASSERT_NE(f, nullptr) << json(r).dump(1);
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_TRUE(f->moved_in_window);
  EXPECT_EQ(f->object, "eth0");
  EXPECT_EQ(f->volume, 20u);
  ASSERT_EQ(f->fix.size(), 1u);
  EXPECT_EQ(f->fix[0], "ip netns exec srv ip link set dev eth0 mtu 1500");
  bool own_rx = false, peer_tx = false;
  for (const auto& e : f->evidence) {
    if (e.counter == "rx_dropped" && e.delta == 20u) own_rx = true;
    if (e.counter == "peer.tx_dropped" && e.delta == 20u && e.after == 24u) peer_tx = true;
  }
  EXPECT_TRUE(own_rx && peer_tx) << json(*f).dump(1);
  // The drops are explained by the MTU: no separate rx_dropped finding for the same frames.
  EXPECT_EQ(find_id(fs, "link.rx_dropped"), nullptr);
}

TEST(LinkMtuLow, ClientSeesItsPeersLowMtuAndFixesThePeerNamespace) {
  auto r = run(load_pair("link/mtu_low_client_peer.json"));
  auto fs = with_prefix(r, "link.");
  const Finding* f = find_id(fs, "link.mtu_low");
  ASSERT_NE(f, nullptr) << json(r).dump(1);
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->netns, "cli");
  ASSERT_FALSE(f->fix.empty());
  EXPECT_EQ(f->fix[0], "ip netns exec srv ip link set dev eth0 mtu 1500");
  EXPECT_EQ(find_id(fs, "link.tx_dropped"), nullptr);
}

TEST(LinkMtuLow, BothEndsObservedReportOnlyTheLowEnd) {
  auto srv = load_pair("link/mtu_low_server.json");
  auto cli = load_pair("link/mtu_low_client_peer.json");
  srv.before->namespaces.push_back(cli.before->namespaces[0]);
  srv.after.namespaces.push_back(cli.after.namespaces[0]);
  auto fs = with_prefix(run(srv), "link.");
  ASSERT_EQ(fs.size(), 1u) << json(fs).dump(1);  // and no link.tx_dropped for the client end
  EXPECT_EQ(fs[0].id, "link.mtu_low");
  EXPECT_EQ(fs[0].netns, "srv");
}

TEST(LinkMtuLow, BridgePortFarBelowItsMasterIsAWarningOnLifetime) {
  auto r = run(load_pair("link/mtu_low_bridge_port.json"));
  auto fs = with_prefix(r, "link.");
  ASSERT_EQ(fs.size(), 1u) << json(r).dump(1);
  EXPECT_EQ(fs[0].id, "link.mtu_low");
  EXPECT_EQ(fs[0].object, "vport1");
  EXPECT_EQ(fs[0].severity, Severity::warning);
  EXPECT_FALSE(fs[0].moved_in_window);
  EXPECT_EQ(fs[0].fix.at(0), "ip link set dev vport1 mtu 9000");  // host: no netns prefix
}

TEST(LinkMtuLow, ThresholdsComeFromConfig) {
  RuleConfig cfg;
  cfg.mtu_low_ratio = 0.01;    // 400 vs 9000 no longer "far below"...
  cfg.mtu_absolute_low = 300;  // ...and 400 is above the floor
  auto fs = with_prefix(run(load_pair("link/mtu_low_bridge_port.json"), cfg), "link.");
  EXPECT_TRUE(fs.empty());
}

TEST(LinkRules, HealthyPairWithTrafficHasNoLinkFinding) {
  auto r = run(load_pair("link/healthy_pair.json"));
  auto fs = with_prefix(r, "link.");
  EXPECT_TRUE(fs.empty()) << json(r).dump(1);
}

TEST(LinkRules, WindowedCountersFireWithComputedFixes) {
  auto r = run(load_pair("link/counters_window.json"));
  auto fs = with_prefix(r, "link.");

  const Finding* ring = find_id(fs, "link.ring_full", "ens1");
  ASSERT_NE(ring, nullptr) << json(r).dump(1);
  EXPECT_EQ(ring->volume, 300u);
  EXPECT_TRUE(any_fix_contains(*ring, "ethtool -G ens1 rx 4096"));

  const Finding* rx = find_id(fs, "link.rx_dropped", "ens1");
  ASSERT_NE(rx, nullptr);
  EXPECT_EQ(rx->severity, Severity::critical);  // 500 of 10500 packets
  EXPECT_EQ(rx->volume, 500u);
  EXPECT_TRUE(any_fix_contains(*rx, "sysctl -w net.core.netdev_max_backlog=2000"));

  const Finding* crc = find_id(fs, "link.rx_errors", "ens2");
  ASSERT_NE(crc, nullptr);
  EXPECT_EQ(crc->volume, 5u);                   // rx_errors and rx_crc_errors overlap: not 10
  EXPECT_EQ(crc->severity, Severity::warning);  // 5 < 10 events

  // Re-created device: delta is what it counted since (3), not 2^64 - 999997.
  const Finding* reset = find_id(fs, "link.rx_dropped", "ens3");
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->volume, 3u);
  EXPECT_TRUE(reset->evidence.at(0).reset);
  EXPECT_EQ(reset->severity, Severity::info);  // 3 < link_warning_min: a few stray frames

  EXPECT_EQ(find_id(fs, "link.rx_overrun"), nullptr);  // rx_over_errors did not move
}

TEST(LinkRules, LifetimeCountersAreInfoAndOnlyWhenAMeaningfulShare) {
  auto r = run(load_pair("link/lifetime_counters.json"));
  auto fs = with_prefix(r, "link.");
  ASSERT_EQ(fs.size(), 1u) << json(r).dump(1);
  EXPECT_EQ(fs[0].object, "ens1");
  EXPECT_EQ(fs[0].severity, Severity::info);
  EXPECT_FALSE(fs[0].moved_in_window);
}

TEST(LinkMtuLow, PeerInAnUnnamedNamespaceGetsNoBareCommand) {
  auto p = load_pair("link/mtu_low_client_peer.json");
  p.before->namespaces[0].links[0].peer_netns = "";
  p.after.namespaces[0].links[0].peer_netns = "";
  auto fs = with_prefix(run(p), "link.mtu_low");
  ASSERT_EQ(fs.size(), 1u);
  ASSERT_EQ(fs[0].fix.size(), 1u);
  EXPECT_EQ(fs[0].fix[0],
            "# in the namespace cli knows as netnsid 0: ip link set dev eth0 mtu 1500");
}

TEST(LinkRules, FewDropsInTheWindowAreInfoUntilTheWarningMinimum) {
  auto p = load_pair("link/counters_window.json");
  RuleConfig cfg;
  cfg.link_warning_min = 3;
  // Kept in a variable: find_id points into it (a temporary here was a use after free, seen by
  // the ASan stage).
  const auto findings = with_prefix(run(p, cfg), "link.");
  const Finding* f = find_id(findings, "link.rx_dropped", "ens3");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warning);
}

TEST(LinkMtuLow, BridgePortBelowItsSiblingsEvenWhenTheBridgeFollowedItDown) {
  auto p = load_pair("link/mtu_low_bridge_port.json");
  for (auto& l : p.after.namespaces[0].links) {
    if (l.name == "br0") l.mtu = 400;  // a bridge takes the smallest port MTU
    if (l.master_ifindex == 3) l.master_mtu = 400;
  }
  auto fs = with_prefix(run(p), "link.mtu_low");
  const Finding* f = find_id(fs, "link.mtu_low", "vport1");
  ASSERT_NE(f, nullptr) << json(fs).dump(1);
  EXPECT_EQ(f->fix.at(0), "ip link set dev vport1 mtu 9000");
}

TEST(LinkMtuLow, VlanBelowItsJumboLowerDeviceIsNormal) {
  auto p = load_pair("link/healthy_pair.json");
  Link vlan;
  vlan.ifindex = 9;
  vlan.name = "ens1.100";
  vlan.kind = "vlan";
  vlan.mtu = 1500;
  vlan.admin_up = true;
  vlan.link_ifindex = 3;  // ens1, mtu 9000
  vlan.peer_name = "ens1";
  vlan.peer_mtu = 9000;
  p.after.namespaces[0].links.push_back(vlan);
  EXPECT_TRUE(with_prefix(run(p), "link.").empty());
}
