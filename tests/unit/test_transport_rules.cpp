// transport.* rules from fixture snapshots.
#include <gtest/gtest.h>

#include "test_proc_rule_fixture.h"

using namespace pktloss;
using pktloss::test::evidence_for;
using pktloss::test::has_text;
using pktloss::test::ScenarioRun;

TEST(TransportRules, HealthyPairIsQuiet) {
  ScenarioRun r("healthy_pair", transport_rules);
  EXPECT_TRUE(r.findings.empty()) << r.dump();
}

TEST(TransportRules, ServerResettingSynsToAClosedPort) {
  ScenarioRun r("no_listener_server", transport_rules);
  const Finding* f = r.find("transport.no_listener");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_EQ(f->volume, 20u);
  EXPECT_TRUE(has_text(*f, "TCP ports with a listener here: 80"));
  EXPECT_EQ(*evidence_for(*f, "Tcp.OutRsts")->delta, 20u);
}

TEST(TransportRules, ClientWhoseConnectsAreRefused) {
  ScenarioRun r("no_listener_client", transport_rules);
  const Finding* f = r.find("transport.no_listener");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->volume, 20u);
  EXPECT_EQ(f->netns, "plcli");
}

// A half-open scan (hping3 -S) of a listening server: every failed attempt there is a passive
// open the peer reset. Neither "refused connects from here" nor a handshake failure of the server.
TEST(TransportRules, PeerResettingHalfOpenHandshakesIsNotBlamedOnTheServer) {
  ScenarioRun r("half_open_scan_of_server", transport_rules);
  EXPECT_TRUE(r.findings.empty()) << r.dump();
}

TEST(TransportRules, RstsExplainedByAbortsAreNotNoListener) {
  ScenarioRun r("rsts_from_aborts", transport_rules);
  EXPECT_FALSE(r.find("transport.no_listener")) << r.dump();
}

TEST(TransportRules, NoListenerNeedsAWindow) {
  ScenarioRun r("no_listener_server", transport_rules, /*windowed=*/false);
  EXPECT_FALSE(r.find("transport.no_listener"));
}

TEST(TransportRules, SynRetransmits) {
  ScenarioRun r("syn_retransmits", transport_rules);
  const Finding* f = r.find("transport.syn_failures");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->volume, 12u);
  // 4 failures, 12 SYN retransmits: they timed out, they were not refused.
  EXPECT_FALSE(r.find("transport.no_listener"));
}

TEST(TransportRules, RetransmitRatioAboveThreshold) {
  ScenarioRun r("retransmits", transport_rules);
  const Finding* f = r.find("transport.retransmits");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->volume, 100u);
  EXPECT_TRUE(has_text(*f, "10.0%"));
  EXPECT_TRUE(evidence_for(*f, "TcpExt.TCPTimeouts"));
}

TEST(TransportRules, NormalRetransmitRateIsQuiet) {
  ScenarioRun r("retransmits_normal", transport_rules);  // 50 of 100000 = 0.05%
  EXPECT_FALSE(r.find("transport.retransmits")) << r.dump();
}

TEST(TransportRules, UdpToClosedPorts) {
  ScenarioRun r("udp_no_port", transport_rules);
  const Finding* f = r.find("transport.udp_no_port");
  ASSERT_TRUE(f) << r.dump();
  EXPECT_EQ(f->volume, 52u);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_TRUE(has_text(*f, "UDP ports with a socket here: 53"));
  EXPECT_TRUE(has_text(*f, "ip netns exec plsrv"));
}

TEST(TransportRules, StrayRstsAndAFewSynRetransmitsStayBelowThresholds) {
  ScenarioRun r("stray_rsts_and_syn_retrans", transport_rules);
  EXPECT_TRUE(r.findings.empty()) << r.dump();
}

TEST(TransportRules, KernelNoSocketDropsNameTheClosedPort) {
  Snapshot before, after;
  before.namespaces.push_back(
      pktloss::test::proc_scenarios().at("no_listener_server").at("before").get<NetnsSnapshot>());
  after.namespaces.push_back(
      pktloss::test::proc_scenarios().at("no_listener_server").at("after").get<NetnsSnapshot>());
  Observations obs;
  DropEventRow row;
  row.netns_inode = 2;  // the scenario's namespace
  row.reason = "NO_SOCKET";
  row.proto = "tcp";
  row.flow = "10.77.0.1:40000 -> 10.77.0.2:81";
  row.packets = 20;
  obs.drop_events.push_back(row);
  row.netns_inode = 99;  // another namespace: not ours
  row.flow = "10.9.9.9:1 -> 10.9.9.8:2";
  obs.drop_events.push_back(row);
  RuleConfig cfg;
  Findings out;
  RuleInput in{&before.namespaces[0], after.namespaces[0], after, &before, 2.0, obs, cfg};
  transport_rules(in, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(
      has_text(out[0], "20 tcp packets dropped NO_SOCKET: 10.77.0.1:40000 -> 10.77.0.2:81"));
  EXPECT_FALSE(has_text(out[0], "10.9.9.8"));
}
