// qdisc.* rules from fixture snapshots, and the tc-syntax formatter.
#include <gtest/gtest.h>

#include "rules/qdisc_format.h"
#include "test_link_fixture.h"

using namespace pktloss;
using namespace pktloss::test;

TEST(QdiscNetemLoss, IsCriticalShowsOptionsAndKeepsTheDelayInTheFix) {
  auto r = run(load_pair("qdisc/netem_loss.json"));
  auto fs = with_prefix(r, "qdisc.");
  ASSERT_EQ(fs.size(), 1u) << json(r).dump(1);
  const Finding& f = fs[0];
  EXPECT_EQ(f.id, "qdisc.netem_loss");
  EXPECT_EQ(f.severity, Severity::critical);
  EXPECT_TRUE(f.moved_in_window);
  EXPECT_NE(f.summary.find("loss 30% 25%"), std::string::npos) << f.summary;
  EXPECT_NE(f.summary.find("delay 100ms"), std::string::npos) << f.summary;
  EXPECT_EQ(f.volume, 30u);
  ASSERT_EQ(f.fix.size(), 2u);
  EXPECT_EQ(f.fix[0], "ip netns exec srv tc qdisc del dev eth0 root");
  EXPECT_EQ(f.fix[1],
            "ip netns exec srv tc qdisc change dev eth0 root netem limit 1000 delay 100ms");
}

// `netem loss gemodel 30% 50%` has no random loss at all: the model is what loses packets.
TEST(QdiscNetemLoss, GilbertElliottModelAloneIsLoss) {
  auto p = load_pair("qdisc/netem_loss.json");
  auto to_gemodel = [](Snapshot& s) {
    for (auto& ns : s.namespaces)
      for (auto& q : ns.qdiscs)
        if (q.kind == "netem")
          q.options = {{"limit_pkts", 1000},       {"delay_us", 100000},
                       {"loss_model", 2},          {"loss_gemodel_p_pct", 30},
                       {"loss_gemodel_r_pct", 50}, {"loss_gemodel_1h_pct", 100},
                       {"loss_gemodel_1k_pct", 0}};
  };
  to_gemodel(*p.before);
  to_gemodel(p.after);
  auto fs = with_prefix(run(p), "qdisc.");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].id, "qdisc.netem_loss");
  EXPECT_EQ(fs[0].evidence.at(0).text,
            "tc qdisc: netem limit 1000 delay 100ms loss gemodel p 30% r 50% 1-h 100% 1-k 0%");
  EXPECT_EQ(fs[0].volume, 30u);  // the qdisc's own drops in the window
  ASSERT_EQ(fs[0].fix.size(), 2u);
  EXPECT_EQ(fs[0].fix[1],
            "ip netns exec srv tc qdisc change dev eth0 root netem limit 1000 delay 100ms");
}

TEST(QdiscDrops, TbfDroppingIsCriticalWithBiggerBurstAndLimit) {
  auto r = run(load_pair("qdisc/tbf_drops.json"));
  auto fs = with_prefix(r, "qdisc.");
  ASSERT_EQ(fs.size(), 1u) << json(r).dump(1);
  const Finding& f = fs[0];
  EXPECT_EQ(f.id, "qdisc.drops");
  EXPECT_EQ(f.severity, Severity::critical);
  EXPECT_EQ(f.volume, 40u);
  EXPECT_EQ(f.evidence.at(0).text, "tc qdisc: tbf rate 1Mbit burst 1600b limit 3000b");
  // burst: max(2 x 1600, 10 ms of 125000 B/s, 2 frames of 1514) = 3200;
  // limit: max(2 x 3000, 3200 + 50 ms of 125000 B/s) = 9450.
  EXPECT_EQ(
      f.fix.at(0),
      "ip netns exec srv tc qdisc change dev eth0 root tbf rate 1Mbit burst 3200b limit 9450b");
}

TEST(QdiscDrops, LifetimeOnlyIsInfo) {
  auto p = load_pair("qdisc/tbf_drops.json");
  p.before.reset();
  auto fs = with_prefix(run(p), "qdisc.");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::info);  // 40 drops lifetime < 100
  EXPECT_FALSE(fs[0].moved_in_window);
}

TEST(QdiscRules, HealthyBusyQdiscsAreQuiet) {
  auto r = run(load_pair("qdisc/healthy.json"));
  EXPECT_TRUE(with_prefix(r, "qdisc.").empty()) << json(r).dump(1);
}

TEST(QdiscDrops, ClassfulRootDefersToTheLeafThatDropped) {
  auto fs = with_prefix(run(load_pair("qdisc/htb_child.json")), "qdisc.");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_NE(fs[0].object.find("pfifo a:"), std::string::npos) << fs[0].object;
  EXPECT_EQ(fs[0].fix.at(0), "tc qdisc change dev ens1 parent 1:10 handle a: pfifo limit 20");
}

TEST(QdiscFormat, TcSyntax) {
  EXPECT_EQ(tc_rate(1e6), "1Mbit");
  EXPECT_EQ(tc_rate(1500), "1.5Kbit");
  EXPECT_EQ(tc_rate(2.5e9), "2.5Gbit");
  EXPECT_EQ(tc_time_us(250), "250us");
  EXPECT_EQ(tc_time_us(1.5e6), "1.5s");
  EXPECT_EQ(tc_handle(0x10000), "1:");
  EXPECT_EQ(tc_handle(0x10002), "1:2");
  Qdisc q;
  q.kind = "netem";
  q.options = {{"loss_pct", 30},     {"corrupt_pct", 1},   {"duplicate_pct", 2},
               {"delay_us", 100000}, {"jitter_us", 10000}, {"rate_bps", 1e6}};
  EXPECT_EQ(format_qdisc_options(q),
            "netem delay 100ms 10ms loss 30% duplicate 2% corrupt 1% rate 1Mbit");
  EXPECT_EQ(netem_without_loss(q), "netem delay 100ms 10ms rate 1Mbit corrupt 0%");
  Qdisc only_loss;
  only_loss.kind = "netem";
  only_loss.options = {{"loss_pct", 5}, {"limit_pkts", 1000}};
  EXPECT_EQ(netem_without_loss(only_loss), "");
  Qdisc unknown;
  unknown.kind = "cake_new";
  EXPECT_EQ(format_qdisc_options(unknown), "cake_new");
}

// What `tc qdisc show` printed on Debian's 6.1 in the VM lab (tc's words, single-spaced): the
// delay correlation after the jitter, the reorder gap last.
TEST(QdiscFormat, NetemAsTcPrintsItOnDebian61) {
  Qdisc q;
  q.kind = "netem";
  q.options = {{"limit_pkts", 1000}, {"delay_us", 5000},
               {"jitter_us", 1000},  {"delay_correlation_pct", 25},
               {"loss_pct", 1},      {"duplicate_pct", 2},
               {"reorder_pct", 3},   {"corrupt_pct", 4},
               {"rate_bps", 2e6},    {"gap", 1}};
  EXPECT_EQ(format_qdisc_options(q),
            "netem limit 1000 delay 5ms 1ms 25% loss 1% duplicate 2% reorder 3% corrupt 4% rate "
            "2Mbit gap 1");
  EXPECT_EQ(netem_without_loss(q),
            "netem limit 1000 delay 5ms 1ms 25% reorder 3% rate 2Mbit gap 1 corrupt 0%");
  Qdisc r;
  r.kind = "netem";
  r.options = {{"limit_pkts", 1000}, {"delay_us", 1000}, {"reorder_pct", 10},
               {"corrupt_pct", 5},   {"rate_bps", 1e6},  {"gap", 3}};
  EXPECT_EQ(format_qdisc_options(r),
            "netem limit 1000 delay 1ms reorder 10% corrupt 5% rate 1Mbit gap 3");
  // A delay correlation without jitter is not printed by tc either.
  Qdisc d;
  d.kind = "netem";
  d.options = {{"delay_us", 10000}, {"delay_correlation_pct", 25}, {"gap", 0}};
  EXPECT_EQ(format_qdisc_options(d), "netem delay 10ms");
}

TEST(QdiscDrops, PfifoFastFixRaisesTheDeviceTxqueuelen) {
  auto p = load_pair("qdisc/healthy.json");
  p.after.namespaces[0].links.push_back(Link{});
  p.after.namespaces[0].links.back().name = "ens2";
  p.after.namespaces[0].links.back().txqlen = 1000;
  p.after.namespaces[0].qdiscs[1].stats.drops = 117;  // pfifo_fast on ens2: +100 in the window
  auto fs = with_prefix(run(p), "qdisc.");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::critical);  // 100 of 2100
  EXPECT_EQ(fs[0].fix.at(0), "ip link set dev ens2 txqueuelen 2000");
}
