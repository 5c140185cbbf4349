// socket.listen_overflow, socket.rcvbuf, socket.backlog from fixture snapshots.
#include <gtest/gtest.h>

#include "rules/proc_rule_util.h"
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

TEST(SocketRules, OneSnapshotWithAFullAcceptQueueIsAWarning) {
  // No window: lifetime ListenDrops alone would be info, but the queue is full right now.
  ScenarioRun r("listen_overflow", socket_rules, /*windowed=*/false);
  const Finding* f = r.find("socket.listen_overflow");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_FALSE(f->moved_in_window);
  EXPECT_EQ(f->object, "tcp 10.77.0.2:8080");
}

TEST(SocketRules, FixesRunInsideTheNamespace) {
  NetnsSnapshot ns;
  ns.name = "pid:4242";
  EXPECT_EQ(proc_rules::in_ns(ns, {"sysctl", "-w", "a.b=1"}), "nsenter -t 4242 -n sysctl -w a.b=1");
  ns.name = "host";
  EXPECT_EQ(proc_rules::in_ns(ns, {"sysctl", "-w", "a.b=1"}), "sysctl -w a.b=1");
  ns.name = "plsrv";
  EXPECT_EQ(proc_rules::in_ns(ns, {"ss", "-ltn"}), "ip netns exec plsrv ss -ltn");
  ns.name = "x$(id)";
  EXPECT_EQ(proc_rules::in_ns(ns, {"ss"}, "a\nb"), "ip netns exec 'x$(id)' ss   # a?b");
}

TEST(SocketRules, GlobalSysctlMissingInANamespaceIsTakenFromTheHost) {
  Snapshot before, after;
  for (Snapshot* s : {&before, &after}) {
    NetnsSnapshot host, srv;
    host.name = "host";
    host.inode = 1;
    host.sysctls["net.core.netdev_max_backlog"] = "1000";
    srv.name = "plsrv";
    srv.inode = 2;
    srv.snmp["TcpExt.TCPBacklogDrop"] = s == &before ? 0 : 7;
    srv.sysctls["net.ipv4.tcp_rmem"] = "4096 131072 6291456";
    s->namespaces = {host, srv};
  }
  Observations obs;
  RuleConfig cfg;
  Findings out;
  RuleInput in{&before.namespaces[1], after.namespaces[1], after, &before, 2.0, obs, cfg};
  socket_rules(in, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "socket.backlog");
  EXPECT_EQ(out[0].severity, Severity::warning);  // socket backlog, softnet spoken for by host
  EXPECT_EQ(out[0].volume, 7u);
  ASSERT_EQ(out[0].fix.size(), 1u);
  EXPECT_EQ(out[0].fix[0],
            "ip netns exec plsrv sysctl -w 'net.ipv4.tcp_rmem=4096 131072 12582912'");
}
