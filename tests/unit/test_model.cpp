#include <gtest/gtest.h>

#include "model/json.h"
#include "rules/engine.h"
#include "rules/evidence.h"

using namespace pktloss;

TEST(CounterDelta, GrowsNormally) {
  auto d = counter_delta(10, 25);
  EXPECT_EQ(d.delta, 15u);
  EXPECT_FALSE(d.reset);
}

TEST(CounterDelta, BackwardsIsResetNotHugeDelta) {
  // Interface re-created between snapshots: the counter restarted from 0 and counted 7.
  auto d = counter_delta(1'000'000, 7);
  EXPECT_EQ(d.delta, 7u);
  EXPECT_TRUE(d.reset);
}

TEST(Evidence, WindowedCounterMovedIsInWindow) {
  CounterMap before{{"Tcp.RetransSegs", 100}}, after{{"Tcp.RetransSegs", 130}};
  auto e = counter_evidence("/proc/net/snmp", "Tcp.RetransSegs", &before, after);
  ASSERT_TRUE(e.delta.has_value());
  EXPECT_EQ(*e.delta, 30u);
  EXPECT_TRUE(e.in_window);
}

TEST(Evidence, LifetimeHasNoDelta) {
  CounterMap after{{"Tcp.RetransSegs", 130}};
  auto e = counter_evidence("/proc/net/snmp", "Tcp.RetransSegs", nullptr, after);
  EXPECT_FALSE(e.delta.has_value());
  EXPECT_FALSE(e.in_window);
  EXPECT_EQ(moved(nullptr, after, "Tcp.RetransSegs"), 130u);
  EXPECT_EQ(moved(nullptr, after, "Tcp.Absent"), 0u);
}

TEST(Ranking, SeverityThenWindowThenVolume) {
  std::vector<Finding> f(4);
  f[0].id = "a";
  f[0].severity = Severity::warning;
  f[0].volume = 1000;
  f[1].id = "b";
  f[1].severity = Severity::critical;
  f[1].volume = 1;
  f[2].id = "c";
  f[2].severity = Severity::critical;
  f[2].volume = 5;
  f[2].moved_in_window = true;
  f[3].id = "d";
  f[3].severity = Severity::critical;
  f[3].volume = 50;
  rank_findings(f);
  EXPECT_EQ(f[0].id, "c");
  EXPECT_EQ(f[1].id, "d");
  EXPECT_EQ(f[2].id, "b");
  EXPECT_EQ(f[3].id, "a");
}

TEST(Json, SnapshotRoundTripKeepsFieldsAndDefaultsMissingOnes) {
  json j = json::parse(R"({"host":"h","namespaces":[{"name":"srv","inode":42,
      "links":[{"name":"eth0","mtu":100,"stats":{"rx_dropped":5}}]}]})");
  Snapshot s = j.get<Snapshot>();
  ASSERT_EQ(s.namespaces.size(), 1u);
  EXPECT_EQ(s.namespaces[0].links[0].mtu, 100u);
  EXPECT_EQ(s.namespaces[0].links[0].link_netnsid, -1);  // default kept
  json back = s;
  EXPECT_EQ(back["namespaces"][0]["links"][0]["stats"]["rx_dropped"], 5);
}

TEST(Json, ReportFollowsSpecShape) {
  Report r;
  Finding f;
  f.id = "netfilter.drop_rule";
  f.layer = Layer::netfilter;
  f.severity = Severity::critical;
  f.evidence.push_back(value_evidence("nftables", "packets", 0, 6, "-A INPUT -j DROP"));
  r.findings.push_back(f);
  json j = r;
  EXPECT_EQ(j["findings"][0]["layer"], "netfilter");
  EXPECT_EQ(j["findings"][0]["severity"], "critical");
  EXPECT_EQ(j["findings"][0]["evidence"][0]["delta"], 6);
  EXPECT_TRUE(j["target"].is_null());
  Report back = j.get<Report>();
  EXPECT_EQ(back.findings[0].id, "netfilter.drop_rule");
}

TEST(Json, UnknownLayerIsAnErrorNotACrash) {
  json j = json::parse(R"({"id":"x.y","layer":"bogus","severity":"info"})");
  EXPECT_THROW(j.get<Finding>(), std::invalid_argument);
}

TEST(Engine, PacketFindingsConfirmWhatProbesFoundOrStandAlone) {
  Snapshot snap;
  Observations obs;
  ProbeResult syn;
  syn.kind = "tcp-syn";
  syn.sent = 20;
  syn.received = 10;
  syn.loss = 0.5;
  syn.loss_ci_low = 0.3;
  syn.loss_ci_high = 0.7;
  obs.probes.push_back(syn);
  Finding retrans;
  retrans.id = "transport.retransmits";
  retrans.layer = Layer::transport;
  retrans.severity = Severity::warning;
  retrans.evidence.push_back(fact_evidence("pcap", "12 data segments retransmitted"));
  Finding blackhole;
  blackhole.id = "ip.pmtu_blackhole";
  blackhole.layer = Layer::ip;
  blackhole.severity = Severity::critical;
  blackhole.evidence.push_back(fact_evidence("pcap", "0/12 segments above 100 bytes acked"));
  obs.packet_findings = {retrans, blackhole};
  Report r = evaluate(nullptr, snap, obs, RuleConfig{});
  const Finding* loss = nullptr;
  const Finding* hole = nullptr;
  for (const auto& f : r.findings) {
    if (f.id == "application.probe_loss") loss = &f;
    if (f.id == "ip.pmtu_blackhole") hole = &f;
  }
  ASSERT_NE(loss, nullptr);
  ASSERT_NE(hole, nullptr);  // nothing else saw it: kept on its own
  bool has_pcap = false;
  for (const auto& e : loss->evidence) has_pcap |= e.source == "pcap";
  EXPECT_TRUE(has_pcap) << "probe loss carries the packet-level evidence";
}

TEST(Ranking, RootCausesComeBeforeTheLossTheyCause) {
  Snapshot snap;
  Observations obs;
  ProbeResult syn;
  syn.kind = "tcp-syn";
  syn.sent = 20;
  syn.received = 10;
  syn.loss = 0.5;
  syn.loss_ci_low = 0.3;
  Finding rule;
  rule.id = "netfilter.drop_rule";
  rule.layer = Layer::netfilter;
  rule.severity = Severity::warning;
  obs.packet_findings = {rule};
  obs.probes.push_back(syn);
  Report r = evaluate(nullptr, snap, obs, RuleConfig{});
  ASSERT_GE(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].id, "netfilter.drop_rule");  // a warning cause before a critical symptom
  EXPECT_FALSE(r.findings[0].symptom);
  EXPECT_EQ(r.findings[1].id, "application.probe_loss");
  EXPECT_TRUE(r.findings[1].symptom);
  // Alone, probe loss is no symptom of anything: it is the finding.
  obs.packet_findings.clear();
  Report alone = evaluate(nullptr, snap, obs, RuleConfig{});
  ASSERT_FALSE(alone.findings.empty());
  EXPECT_FALSE(alone.findings[0].symptom);
}
