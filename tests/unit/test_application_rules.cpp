// application_rules: quiet on a clean probe set, application.probe_loss on lost probes (with its
// Wilson interval), ip.pmtu_blackhole on a size sweep where large sizes die without frag-needed.
#include <gtest/gtest.h>

#include "probe/probe_stats.h"
#include "probe/run_probes.h"
#include "rules/rule_families.h"

using namespace pktloss;

namespace {

ProbeResult result(const std::string& kind, uint64_t sent, uint64_t received) {
  ProbeResult r;
  r.kind = kind;
  r.sent = sent;
  r.received = received;
  r.target = "10.77.0.2:80";
  r.source_netns = "plc";
  finish_result(r, {0.1});
  return r;
}

ProbeResult mtu(uint32_t ok, uint32_t failed, bool frag) {
  ProbeResult r = result("mtu", 18, 3);
  r.target = "10.77.0.2";
  r.max_ok_size = ok;
  r.min_failed_size = failed;
  r.frag_needed_seen = frag;
  r.frag_needed_mtu = frag ? 1400 : 0;
  r.local_ifname = "eth0";
  r.local_mtu = 1500;
  r.route_mtu = 1500;
  return r;
}

Findings run(const std::vector<ProbeResult>& probes, RuleConfig cfg = {}) {
  Observations obs;
  obs.probes = probes;
  Findings out;
  application_rules(obs, cfg, out);
  return out;
}

}  // namespace

TEST(ApplicationRules, QuietOnHealthyProbes) {
  auto f = run({result("tcp-syn", 60, 60), result("tcp-connect", 20, 20), result("http", 20, 20),
                result("icmp", 20, 20), mtu(1500, 0, false)});
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(run({}).empty());
}

TEST(ApplicationRules, RandomSynLossIsCriticalWithInterval) {
  auto f = run({result("tcp-syn", 60, 42)});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "application.probe_loss");
  EXPECT_EQ(f[0].layer, Layer::application);
  EXPECT_EQ(f[0].severity, Severity::critical);
  EXPECT_TRUE(f[0].moved_in_window);
  EXPECT_EQ(f[0].volume, 18u);
  EXPECT_NE(f[0].summary.find("30.0%"), std::string::npos) << f[0].summary;
  EXPECT_NE(f[0].summary.find("95% CI 19.9%-42.5%"), std::string::npos) << f[0].summary;
  ASSERT_FALSE(f[0].evidence.empty());
  EXPECT_EQ(f[0].evidence[0].delta, 18u);
  EXPECT_FALSE(f[0].fix.empty());
}

TEST(ApplicationRules, SmallLossIsAWarningAndThresholdHolds) {
  auto f = run({result("tcp-syn", 100, 95)});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::warning);
  RuleConfig strict;
  strict.probe_loss_warning = 0.10;
  EXPECT_TRUE(run({result("tcp-syn", 100, 95)}, strict).empty());
}

TEST(ApplicationRules, HandshakeOkButHttpFailsPointsAtMtu) {
  auto f = run({result("tcp-syn", 5, 5), result("http", 3, 0), mtu(104, 105, false)});
  ASSERT_EQ(f.size(), 2u);
  const Finding* http = nullptr;
  const Finding* pmtu = nullptr;
  for (const auto& x : f) (x.id == "ip.pmtu_blackhole" ? pmtu : http) = &x;
  ASSERT_TRUE(http && pmtu);
  EXPECT_EQ(http->id, "application.probe_loss");
  EXPECT_NE(
      http->explanation.find("handshake passes, data does not: size-dependent loss, check MTU"),
      std::string::npos);
  EXPECT_EQ(pmtu->layer, Layer::ip);
  EXPECT_EQ(pmtu->severity, Severity::critical);
  bool saw_ok = false, saw_failed = false;
  for (const auto& e : pmtu->evidence) {
    if (e.counter == "max_ok_size") saw_ok = e.after == 104u;
    if (e.counter == "min_failed_size") saw_failed = e.after == 105u;
  }
  EXPECT_TRUE(saw_ok && saw_failed);
  ASSERT_FALSE(pmtu->fix.empty());
  EXPECT_NE(pmtu->fix[0].find("--set-mss 64"), std::string::npos) << pmtu->fix[0];
}

TEST(ApplicationRules, HttpLossWithSynLossIsNotBlamedOnMtu) {
  auto f = run({result("tcp-syn", 60, 40), result("http", 20, 13)});
  ASSERT_EQ(f.size(), 2u);
  for (const auto& x : f) EXPECT_EQ(x.explanation.find("check MTU"), std::string::npos);
}

TEST(ApplicationRules, NoBlackholeWhenFragNeededComesBackOrNothingFailed) {
  EXPECT_TRUE(run({mtu(1400, 1401, true)}).empty());
  EXPECT_TRUE(run({mtu(1500, 0, false)}).empty());
  EXPECT_TRUE(run({mtu(0, 64, false)}).empty());  // nothing answered: not a size problem
}

TEST(ApplicationRules, UdpSilenceAfterPortUnreachableIsNotLoss) {
  ProbeResult u = result("udp", 10, 8);
  u.errors = 8;  // all answers were ICMP port unreachable, which the target rate-limits
  EXPECT_TRUE(run({u}).empty());
  ProbeResult echo = result("udp", 10, 5);  // a real UDP service answering half the time
  EXPECT_EQ(run({echo}).size(), 1u);
}

TEST(ProbeOwnTraffic, SynProbesAreRecordedForDiscounting) {
  Observations obs;
  record_own_traffic({result("tcp-syn", 60, 42), result("http", 5, 5)}, obs);
  EXPECT_EQ(obs.own_syn_probes, 60u);
  EXPECT_EQ(obs.own_syn_probes_netns, "plc");
  ASSERT_EQ(obs.own_traffic_notes.size(), 1u);
  EXPECT_NE(obs.own_traffic_notes[0].find("60 raw TCP SYN probes"), std::string::npos);
  EXPECT_NE(obs.own_traffic_notes[0].find("42 SYN-ACKs found no socket"), std::string::npos)
      << obs.own_traffic_notes[0];
}

TEST(ProbePlanBudget, EstimateBoundsEveryKind) {
  ProbePlan plan;
  plan.kinds = {ProbeKind::syn};
  plan.count = 60;
  plan.interval_ms = 5;
  plan.straggler_ms = 500;
  EXPECT_EQ(estimated_max_ms(plan), 60 * 5 + 500);
  plan.kinds = {ProbeKind::http};
  plan.http_timeout_ms = 1500;
  EXPECT_EQ(estimated_max_ms(plan), 60 * 1500);
  plan.kinds = {ProbeKind::mtu};
  plan.timeout_ms = 500;
  plan.sizes = {100, 1500};
  EXPECT_EQ(estimated_max_ms(plan), (2 + 17) * 2 * 500);
  plan.kinds = {};
  EXPECT_EQ(estimated_max_ms(plan), 0);
}
