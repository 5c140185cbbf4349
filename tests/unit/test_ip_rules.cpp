// ip.* rules from fixture snapshots.
#include <gtest/gtest.h>

#include "test_proc_rule_fixture.h"

using namespace pktloss;
using pktloss::test::evidence_for;
using pktloss::test::has_text;
using pktloss::test::ScenarioRun;

TEST(IpRules, HealthyPairIsQuiet) {
  ScenarioRun r("healthy_pair", ip_rules);
  EXPECT_TRUE(r.findings.empty()) << r.dump();
}

TEST(IpRules, RpFilterDropsWithEffectiveStrictInterfaces) {
  ScenarioRun r("rp_filter", ip_rules);
  const Finding* f = r.find("ip.rp_filter");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->volume, 30u);
  // all=1 makes eth0 (own 0) strict too: effective = max(all, iface).
  EXPECT_TRUE(has_text(*f, "eth0: rp_filter 1 (strict), from all=1 eth0=0"));
  ASSERT_FALSE(f->fix.empty());
  EXPECT_EQ(f->fix[0], "ip netns exec plsrv sysctl -w net.ipv4.conf.all.rp_filter=2");
  EXPECT_TRUE(has_text(*f, "net.ipv4.conf.eth1.rp_filter=2"));
  EXPECT_FALSE(has_text(*f, "conf.default"));
}

TEST(IpRules, StrictRpFilterWithoutDropsIsQuiet) {
  ScenarioRun r("rp_filter_configured_quiet", ip_rules);
  EXPECT_FALSE(r.find("ip.rp_filter")) << r.dump();
}

TEST(IpRules, ReassemblyTimeouts) {
  ScenarioRun r("reassembly", ip_rules);
  const Finding* f = r.find("ip.reassembly");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->volume, 12u);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_TRUE(has_text(*f, "net.ipv4.ipfrag_high_thresh=8388608"));
  EXPECT_TRUE(has_text(*f, "net.ipv4.ipfrag_time=60"));
}

TEST(IpRules, BlackholeRouteThatDropsNow) {
  ScenarioRun r("no_route_blackhole", ip_rules);
  const Finding* f = r.find("ip.no_route");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->volume, 25u);
  EXPECT_TRUE(has_text(*f, "ip netns exec plsrv ip route del blackhole 192.0.2.0/24"));
  EXPECT_TRUE(has_text(*f, "no IPv4 default route"));
  EXPECT_EQ(*evidence_for(*f, "Ip.OutNoRoutes")->delta, 25u);
}

TEST(IpRules, IdleBlackholeRouteIsOnlyInfo) {
  ScenarioRun r("blackhole_idle", ip_rules);
  const Finding* f = r.find("ip.no_route");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->severity, Severity::info);
}

TEST(IpRules, AFewIpv6LinkLocalPacketsWithoutRouteAreNoise) {
  ScenarioRun r("ipv6_link_local_noise", ip_rules);
  EXPECT_FALSE(r.find("ip.no_route")) << r.dump();
}
