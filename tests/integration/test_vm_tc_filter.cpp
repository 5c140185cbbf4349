// tc filters and actions for real (issue 10): ingress "action drop", ingress policing (modern
// action and the legacy in-filter form), egress gact's random drop, and a healthy pass filter,
// each with real traffic; qdisc.filter_drop from the action's own counters. The host kernel here
// has no cls_matchall, act_gact or act_police, so these skip on it and run in the VM lab.
#include <gtest/gtest.h>

#include <sstream>

#include "testnet.h"

using nlohmann::json;
using pktloss::testing::sh;
using pktloss::testing::TestNet;

namespace {

// Runs the tc commands in the server; skips when the kernel lacks a classifier or action.
#define TC_OR_SKIP(net, cmds)                                                                  \
  do {                                                                                         \
    auto r_ = (net).in_server(cmds);                                                           \
    if (r_.exit_code != 0 && (r_.err.find("nknown") != std::string::npos ||                    \
                              r_.err.find("not supported") != std::string::npos ||             \
                              r_.err.find("not found") != std::string::npos ||                 \
                              r_.err.find("Failed to load") != std::string::npos ||            \
                              r_.err.find("unparsable") != std::string::npos))                 \
      GTEST_SKIP() << "this kernel lacks a tc classifier/action these need; run it in the VM " \
                      "lab: tests/vm/run.sh 6.1 'integration:Vm*' (tc said: "                  \
                   << r_.err << ")";                                                           \
    ASSERT_EQ(r_.exit_code, 0) << r_.err;                                                      \
  } while (0)

std::string pings(const TestNet& net, int count, int size = 56) {
  return "ip netns exec " + net.client() + " ping -q -c " + std::to_string(count) + " -s " +
         std::to_string(size) + " -i 0.02 -W 1 " + TestNet::kServerIp;
}

// pktloss check on the server around `traffic`, its window closed by SIGINT once the traffic
// is done: under TCG on a loaded 2-core box, starting the traffic's processes alone took longer
// than a 5 s window.
json check_during(const TestNet& net, const std::string& traffic) {
  return net.check_report_around(net.server(), traffic);
}

uint64_t delta_of(const json& f, const std::string& counter) {
  for (const auto& e : f["evidence"])
    if (e.value("counter", "") == counter) return e.value("delta", uint64_t{0});
  return 0;
}

}  // namespace

TEST(VmTcFilter, IngressMatchallActionDropIsFoundAndItsFixRemovesIt) {
  TestNet net;
  TC_OR_SKIP(net,
             "tc qdisc add dev eth0 clsact && "
             "tc filter add dev eth0 ingress protocol ip pref 10 matchall action drop");
  json report = check_during(net, pings(net, 30));
  json fs = TestNet::findings_with_id(report, "qdisc.filter_drop");
  ASSERT_EQ(fs.size(), 1u) << report.dump(1);
  const json& f = fs[0];
  EXPECT_EQ(f["severity"], "critical");
  EXPECT_EQ(f["evidence"][0]["text"],
            "tc filter: dev eth0 ingress pref 10 matchall action gact drop");
  // Every echo request is dropped at ingress (the kernel's ARP still passes: protocol ip only).
  EXPECT_GE(delta_of(f, "drops"), 30u) << f.dump(1);
  EXPECT_TRUE(f["moved_in_window"].get<bool>());
  ASSERT_FALSE(f["fix"].empty());
  EXPECT_EQ(f["fix"][0],
            "ip netns exec " + net.server() + " tc filter del dev eth0 ingress pref 10");
  auto fixed = sh(f["fix"][0].get<std::string>());
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  json after = check_during(net, pings(net, 20));
  EXPECT_TRUE(TestNet::findings_with_id(after, "qdisc.filter_drop").empty()) << after.dump(1);
  EXPECT_EQ(net.in_client(std::string("ping -c 1 -W 2 ") + TestNet::kServerIp).exit_code, 0);
}

TEST(VmTcFilter, IngressPolicerOverItsRateIsFoundWithRateAndBurst) {
  TestNet net;
  TC_OR_SKIP(net,
             "tc qdisc add dev eth0 handle ffff: ingress && "
             "tc filter add dev eth0 parent ffff: protocol ip pref 20 u32 match u32 0 0 "
             "action police rate 64kbit burst 4k drop");
  // 40 x 1000-byte pings in 0.8 s is ~400 kbit/s: most exceed 64 kbit/s after the burst.
  json report = check_during(net, pings(net, 40, 1000));
  json fs = TestNet::findings_with_id(report, "qdisc.filter_drop");
  ASSERT_EQ(fs.size(), 1u) << report.dump(1);
  const json& f = fs[0];
  std::string text = f["evidence"][0]["text"];
  EXPECT_EQ(
      text.rfind("tc filter: dev eth0 ingress pref 20 u32 action police rate 64Kbit burst ", 0), 0u)
      << text;
  EXPECT_NE(text.find("conform-exceed drop"), std::string::npos) << text;
  EXPECT_GE(delta_of(f, "drops"), 10u) << f.dump(1);
  EXPECT_GE(delta_of(f, "overlimits"), delta_of(f, "drops")) << f.dump(1);
  EXPECT_LT(delta_of(f, "drops"), 40u) << "the burst lets some through: " << f.dump(1);
}

TEST(VmTcFilter, LegacyInFilterPoliceIsReadFromTheFilterStats) {
  TestNet net;
  TC_OR_SKIP(net,
             "tc qdisc add dev eth0 handle ffff: ingress && "
             "tc filter add dev eth0 parent ffff: protocol ip pref 30 u32 match u32 0 0 "
             "police rate 64kbit burst 4k drop");
  json report = check_during(net, pings(net, 40, 1000));
  json fs = TestNet::findings_with_id(report, "qdisc.filter_drop");
  ASSERT_EQ(fs.size(), 1u) << report.dump(1);
  EXPECT_GE(delta_of(fs[0], "drops"), 10u) << fs[0].dump(1);
}

TEST(VmTcFilter, EgressGactRandomDropIsFound) {
  TestNet net;
  TC_OR_SKIP(net,
             "tc qdisc add dev eth0 clsact && "
             "tc filter add dev eth0 egress protocol ip pref 5 matchall "
             "action gact pass random netrand drop 3");
  json report = check_during(net, pings(net, 60));
  json fs = TestNet::findings_with_id(report, "qdisc.filter_drop");
  ASSERT_EQ(fs.size(), 1u) << report.dump(1);
  const json& f = fs[0];
  EXPECT_EQ(f["evidence"][0]["text"],
            "tc filter: dev eth0 egress pref 5 matchall action gact pass random netrand drop 3");
  // 1 in 3 of 60 replies: well above 5, well below 60.
  EXPECT_GE(delta_of(f, "drops"), 5u) << f.dump(1);
  EXPECT_LE(delta_of(f, "drops"), 40u) << f.dump(1);
}

TEST(VmTcFilter, HealthyPassFilterAndGenerousPolicerAreQuiet) {
  TestNet net;
  TC_OR_SKIP(net,
             "tc qdisc add dev eth0 clsact && "
             "tc filter add dev eth0 ingress protocol ip pref 1 matchall action pass && "
             "tc filter add dev eth0 egress protocol ip pref 2 u32 match u32 0 0 "
             "action police rate 1gbit burst 1m drop");
  json report = check_during(net, pings(net, 40));
  EXPECT_TRUE(TestNet::findings_with_id(report, "qdisc.filter_drop").empty()) << report.dump(1);
}
