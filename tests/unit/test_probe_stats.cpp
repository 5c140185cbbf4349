// Probe statistics and input validation: Wilson interval, RTT percentiles, targets, sizes.
#include <gtest/gtest.h>

#include <stdexcept>

#include "probe/probe_plan.h"
#include "probe/probe_stats.h"
#include "probe/socket_util.h"

using namespace pktloss;

TEST(ProbeStats, WilsonIntervalMatchesReferenceValues) {
  // Reference values (z = 1.96): 0/20 -> [0, 0.161], 10/20 -> [0.299, 0.701], 18/60 -> [0.199,
  // 0.425].
  auto [lo0, hi0] = wilson_interval(0, 20);
  EXPECT_DOUBLE_EQ(lo0, 0.0);
  EXPECT_NEAR(hi0, 0.1611, 1e-3);
  auto [lo1, hi1] = wilson_interval(10, 20);
  EXPECT_NEAR(lo1, 0.2993, 1e-3);
  EXPECT_NEAR(hi1, 0.7007, 1e-3);
  auto [lo2, hi2] = wilson_interval(18, 60);
  EXPECT_NEAR(lo2, 0.1991, 1e-3);
  EXPECT_NEAR(hi2, 0.4250, 1e-3);
  auto [lo3, hi3] = wilson_interval(5, 5);
  EXPECT_NEAR(lo3, 0.5655, 1e-3);
  EXPECT_DOUBLE_EQ(hi3, 1.0);
}

TEST(ProbeStats, WilsonIntervalHandlesDegenerateInput) {
  auto [lo, hi] = wilson_interval(0, 0);
  EXPECT_EQ(lo, 0.0);
  EXPECT_EQ(hi, 0.0);
  auto [lo2, hi2] = wilson_interval(7, 3);  // more failures than trials: clamped, no NaN
  EXPECT_GT(lo2, 0.0);
  EXPECT_EQ(hi2, 1.0);
}

TEST(ProbeStats, RttPercentilesUseNearestRank) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  auto s = rtt_stats(v);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->min_ms, 1);
  EXPECT_EQ(s->max_ms, 100);
  EXPECT_EQ(s->p50_ms, 50);
  EXPECT_EQ(s->p99_ms, 99);
  EXPECT_DOUBLE_EQ(s->avg_ms, 50.5);
  EXPECT_FALSE(rtt_stats({}));
  auto one = rtt_stats({3.0});
  EXPECT_EQ(one->p99_ms, 3.0);
}

TEST(ProbeStats, FinishResultFillsLossAndInterval) {
  ProbeResult r;
  r.sent = 60;
  r.received = 42;
  finish_result(r, {1.0, 2.0});
  EXPECT_NEAR(r.loss, 0.3, 1e-9);
  EXPECT_NEAR(r.loss_ci_low, 0.1991, 1e-3);
  ASSERT_TRUE(r.rtt);
  EXPECT_EQ(r.rtt->max_ms, 2.0);
  ProbeResult none;
  finish_result(none, {});
  EXPECT_EQ(none.loss, 0.0);
  EXPECT_FALSE(none.rtt);
}

TEST(ProbeTarget, AcceptsLiteralsAndPorts) {
  auto t = resolve_target("10.77.0.2");
  EXPECT_EQ(t.host, "10.77.0.2");
  EXPECT_FALSE(t.port);
  auto u = resolve_target("10.77.0.2:8080");
  EXPECT_EQ(u.host, "10.77.0.2");
  EXPECT_EQ(u.port, 8080);
  auto l = resolve_target("localhost:80");  // names resolve once, to IPv4
  EXPECT_EQ(l.host, "127.0.0.1");
}

TEST(ProbeTarget, RejectsBadInputWithOneLineError) {
  for (const char* bad : {"", ":80", "10.0.0.1:", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:8x",
                          "fe80::1", "a b", "host\n:80", "no-such-host.invalid:80"}) {
    try {
      resolve_target(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(resolve_target(std::string(300, 'a')), std::invalid_argument);
}

TEST(ProbeSizes, ParsesListsAndAuto) {
  EXPECT_TRUE(parse_sizes("auto").empty());
  EXPECT_EQ(parse_sizes("1500,100,576,100"), (std::vector<uint32_t>{100, 576, 1500}));
  EXPECT_THROW(parse_sizes("100,,200"), std::invalid_argument);
  EXPECT_THROW(parse_sizes("10"), std::invalid_argument);
  EXPECT_THROW(parse_sizes("70000"), std::invalid_argument);
  EXPECT_THROW(parse_sizes("-5"), std::invalid_argument);
}

TEST(ProbeKinds, RoundTripNames) {
  EXPECT_EQ(probe_kind_from_string("syn"), ProbeKind::syn);
  EXPECT_EQ(probe_kind_from_string("tcp-syn"), ProbeKind::syn);
  EXPECT_EQ(probe_kind_from_string("mtu"), ProbeKind::mtu);
  EXPECT_FALSE(probe_kind_from_string("ping"));
  EXPECT_STREQ(result_kind(ProbeKind::connect), "tcp-connect");
}

TEST(ProbeChecksum, MatchesRfc1071Example) {
  // RFC 1071 section 3 example words 0001 f203 f4f5 f6f7: sum ddf2, checksum 220d.
  const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(probe::inet_checksum(data, sizeof data), 0x220d);
  const uint8_t odd[] = {0x01};
  EXPECT_EQ(probe::inet_checksum(odd, 1), static_cast<uint16_t>(~0x0100 & 0xffff));
}
