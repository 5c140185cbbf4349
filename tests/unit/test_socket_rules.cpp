// socket.listen_overflow, socket.rcvbuf, socket.backlog from fixture snapshots.
#include <gtest/gtest.h>

#include "test_proc_rule_fixture.h"

using namespace pktloss;
using pktloss::test::evidence_for;
using pktloss::test::has_text;
using pktloss::test::ScenarioRun;

TEST(SocketRules, HealthyPairIsQuiet) {
  ScenarioRun r("healthy_pair", socket_rules);
  EXPECT_TRUE(r.findings.empty()) << r.dump();
}

TEST(SocketRules, ListenOverflowNamesTheFullListenerAndItsOwner) {
  ScenarioRun r("listen_overflow", socket_rules);
  const Finding* f = r.find("socket.listen_overflow");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->netns, "plsrv");
  EXPECT_TRUE(f->moved_in_window);
  EXPECT_EQ(f->volume, 40u);
  EXPECT_EQ(f->object, "tcp 10.77.0.2:8080");
  EXPECT_TRUE(has_text(*f, "slowapp (pid 4242)")) << r.dump();
  EXPECT_FALSE(has_text(*f, ":22"));  // the idle listener is not blamed
  const Evidence* e = evidence_for(*f, "TcpExt.ListenOverflows");
  ASSERT_TRUE(e);
  EXPECT_EQ(*e->delta, 40u);
  // Backlog 1 is far below somaxconn 4096: the fix is the app's backlog, not the sysctl.
  EXPECT_TRUE(has_text(*f, "from 1 to 128"));
  for (const auto& x : f->fix) EXPECT_EQ(x.find("somaxconn"), std::string::npos) << x;
}

TEST(SocketRules, ListenOverflowAtSomaxconnCapRaisesTheSysctlFromItsValue) {
  ScenarioRun r("listen_overflow_somaxconn_cap", socket_rules);
  const Finding* f = r.find("socket.listen_overflow");
  ASSERT_TRUE(f) << r.dump();
  ASSERT_FALSE(f->fix.empty());
  EXPECT_EQ(f->fix[0], "sysctl -w net.core.somaxconn=256");  // host: no ip netns exec
  EXPECT_EQ(f->object, "tcp [::]:443");
}

TEST(SocketRules, CounterResetCountsOnlySinceTheReset) {
  ScenarioRun r("listen_drops_counter_reset", socket_rules);
  const Finding* f = r.find("socket.listen_overflow");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->volume, 5u);
  const Evidence* e = evidence_for(*f, "TcpExt.ListenDrops");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->reset);
}

TEST(SocketRules, LifetimeOnlyListenDropsAreInfo) {
  ScenarioRun r("listen_drops_counter_reset", socket_rules, /*windowed=*/false);
  const Finding* f = r.find("socket.listen_overflow");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_FALSE(f->moved_in_window);
}

TEST(SocketRules, RcvbufNamesTheDroppingSocketAndComputesRmemMax) {
  ScenarioRun r("rcvbuf", socket_rules);
  const Finding* f = r.find("socket.rcvbuf");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->object, "udp 10.77.0.2:9999");
  EXPECT_EQ(f->volume, 500u);
  EXPECT_TRUE(has_text(*f, "statsd (pid 77)"));
  EXPECT_FALSE(has_text(*f, ":53"));
  // Wants 2 x rmem_default = 425984 -> 524288 bytes, i.e. SO_RCVBUF 262144: above rmem_max
  // 212992, so rmem_max is raised (doubled) first.
  ASSERT_FALSE(f->fix.empty());
  EXPECT_EQ(f->fix[0], "ip netns exec plsrv sysctl -w net.core.rmem_max=425984");
  EXPECT_TRUE(has_text(*f, "statsd (pid 77): setsockopt(SO_RCVBUF, 262144) on udp 10.77.0.2:9999"));
  bool socket_drop_evidence = false;
  for (const auto& e : f->evidence)
    if (e.counter == "drops" && e.delta && *e.delta == 500) socket_drop_evidence = true;
  EXPECT_TRUE(socket_drop_evidence);
}

TEST(SocketRules, RcvbufWellBelowRmemMaxNeedsOnlyTheApp) {
  ScenarioRun r("rcvbuf", socket_rules);
  r.before.namespaces[0].sysctls["net.core.rmem_max"] = "4194304";
  r.after.namespaces[0].sysctls["net.core.rmem_max"] = "4194304";
  r.findings.clear();
  RuleInput in{
      &r.before.namespaces[0], r.after.namespaces[0], r.after, &r.before, 2.0, r.obs, r.cfg};
  socket_rules(in, r.findings);
  const Finding* f = r.find("socket.rcvbuf");
  ASSERT_TRUE(f);
  for (const auto& x : f->fix) EXPECT_EQ(x.find("rmem_max"), std::string::npos) << x;
  EXPECT_TRUE(has_text(*f, "setsockopt(SO_RCVBUF, 262144)"));
}

TEST(SocketRules, SoftnetDropsRaiseBacklogFromCurrentValue) {
  ScenarioRun r("softnet_drops", socket_rules);
  const Finding* f = r.find("socket.backlog");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->volume, 800u);
  EXPECT_TRUE(has_text(*f, "cpu0: dropped 800, time_squeeze 40"));
  EXPECT_FALSE(has_text(*f, "cpu3"));
  EXPECT_TRUE(has_text(*f, "sysctl -w net.core.netdev_max_backlog=2000"));
  EXPECT_TRUE(has_text(*f, "sysctl -w net.core.netdev_budget=600"));
}

TEST(SocketRules, TimeSqueezeAloneIsOnlyInfo) {
  ScenarioRun r("time_squeeze_only", socket_rules);
  const Finding* f = r.find("socket.backlog");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->severity, Severity::info);
}
