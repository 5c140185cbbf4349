// Firewall layer end to end: real rules injected in the server namespace, real traffic from the
// client during a `check -i` window, and the exact rule named with the exact fix.
#include <gtest/gtest.h>

#include <fstream>

#include "testnet.h"

using nlohmann::json;
using pktloss::testing::sh;
using pktloss::testing::TestNet;

namespace {

// 30 parallel HTTP GETs (bounded at 1.5 s): hundreds of packets both ways in a short burst.
const char* kHttpBurst =
    "for i in $(seq 30); do curl -s -o /dev/null -m 1.5 http://10.77.0.2/ & done; wait";

struct Checked {
  int exit_code = -1;
  json report;
};

// `pktloss check -n server --json` around `traffic` in the client namespace: started once
// pktloss says its window is open (--ready-fd), the window closed (SIGINT) once it is done.
Checked check_during(const TestNet& net, const std::string& traffic) {
  auto r = net.pktloss_until_done("check -n " + net.server() + " -i 60 --json",
                                  TestNet::in_netns(net.client(), traffic), 90);
  Checked c;
  c.exit_code = r.exit_code;
  c.report = json::parse(r.out, nullptr, false);
  return c;
}

json with_id(const json& report, const std::string& id) {
  return TestNet::findings_with_id(report, id);
}

std::string dump(const json& j) {
  return j.dump(1);
}

}  // namespace

TEST(Firewall, IptablesNftStatisticPairOnInputAndOutputGivesOneFindingPerRule) {
  TestNet net;
  net.start_nginx();
  auto add = net.in_server(
      "iptables -A INPUT -m statistic --mode random --probability 0.30 -j DROP && "
      "iptables -A OUTPUT -m statistic --mode random --probability 0.30 -j DROP");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  Checked c = check_during(net, kHttpBurst);
  ASSERT_FALSE(c.report.is_discarded());
  EXPECT_EQ(c.exit_code, 1);
  json fs = with_id(c.report, "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 2u) << dump(c.report);
  std::set<std::string> chains;
  for (const auto& f : fs) {
    EXPECT_EQ(f["severity"], "critical");
    EXPECT_TRUE(f["moved_in_window"].get<bool>());
    EXPECT_GT(f["volume"].get<uint64_t>(), 0u);
    std::string text = f["evidence"][0]["text"];
    std::string chain = text.substr(3, text.find(' ', 3) - 3);
    chains.insert(chain);
    EXPECT_EQ(text,
              "-A " + chain + " -m statistic --mode random --probability 0.29999999981 -j DROP");
    EXPECT_EQ(f["evidence"][0]["source"], "iptables-nft");
    EXPECT_GT(f["evidence"][0]["delta"].get<uint64_t>(), 0u);
    EXPECT_EQ(f["fix"][0], "ip netns exec " + net.server() + " iptables -t filter -D " + chain +
                               " -m statistic --mode random --probability 0.29999999981 -j DROP");
  }
  EXPECT_EQ(chains, (std::set<std::string>{"INPUT", "OUTPUT"}));
  // The fixes are exact: pasting them on the host removes exactly those rules in that namespace.
  for (const auto& f : fs)
    EXPECT_EQ(pktloss::testing::sh(f["fix"][0].get<std::string>()).exit_code, 0);
  EXPECT_EQ(net.in_server("iptables-save | grep -c statistic").out, "0\n");
}

TEST(Firewall, NativeNftNumgenRuleDroppingThirtyPercent) {
  TestNet net;
  net.start_nginx();
  auto add = net.in_server(
      "nft add table inet guard && nft add chain inet guard in "
      "'{ type filter hook input priority 0; policy accept; }' && "
      "nft add rule inet guard in tcp dport 80 numgen random mod 10 '<' 3 counter drop");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  Checked c = check_during(net, kHttpBurst);
  json fs = with_id(c.report, "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 1u) << dump(c.report);
  EXPECT_EQ(fs[0]["evidence"][0]["text"], "tcp dport 80 numgen random mod 10 < 3 counter drop");
  EXPECT_EQ(fs[0]["evidence"][0]["source"], "nftables");
  EXPECT_NE(fs[0]["summary"].get<std::string>().find("30%"), std::string::npos);
  std::string fix = fs[0]["fix"][0];
  EXPECT_EQ(
      fix.rfind("ip netns exec " + net.server() + " nft delete rule inet guard in handle ", 0), 0u)
      << fix;
  EXPECT_EQ(pktloss::testing::sh(fix).exit_code, 0);
  EXPECT_EQ(net.in_server("nft list ruleset | grep -c numgen").out, "0\n");
}

TEST(Firewall, RejectWithTcpResetOnPort80) {
  TestNet net;
  net.start_nginx();
  ASSERT_EQ(net.in_server("iptables -A INPUT -p tcp --dport 80 -j REJECT --reject-with tcp-reset")
                .exit_code,
            0);
  Checked c = check_during(net, kHttpBurst);
  json fs = with_id(c.report, "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 1u) << dump(c.report);
  EXPECT_EQ(fs[0]["severity"], "critical");
  EXPECT_EQ(fs[0]["evidence"][0]["text"],
            "-A INPUT -p tcp -m tcp --dport 80 -j REJECT --reject-with tcp-reset");
  EXPECT_NE(fs[0]["summary"].get<std::string>().find("port 80"), std::string::npos);
  EXPECT_EQ(fs[0]["fix"][0], "ip netns exec " + net.server() +
                                 " iptables -t filter -D INPUT -p tcp -m tcp --dport 80 -j REJECT "
                                 "--reject-with tcp-reset");
  EXPECT_GT(fs[0]["volume"].get<uint64_t>(), 0u);
}

TEST(Firewall, IptablesLegacyDropRule) {
  TestNet net;
  net.start_nginx();
  auto add = net.in_server("iptables-legacy -A INPUT -p tcp --dport 80 -j DROP");
  if (add.exit_code != 0) GTEST_SKIP() << "iptables-legacy unavailable: " << add.err;
  Checked c = check_during(net, kHttpBurst);
  json fs = with_id(c.report, "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 1u) << dump(c.report);
  EXPECT_EQ(fs[0]["evidence"][0]["source"], "iptables-legacy");
  EXPECT_EQ(fs[0]["evidence"][0]["text"], "-A INPUT -p tcp -m tcp --dport 80 -j DROP");
  EXPECT_EQ(fs[0]["object"], "ip filter INPUT rule 1");
  std::string fix = fs[0]["fix"][0];
  EXPECT_EQ(fix, "ip netns exec " + net.server() +
                     " iptables-legacy -t filter -D INPUT -p tcp -m tcp --dport 80 -j DROP");
  EXPECT_EQ(pktloss::testing::sh(fix).exit_code, 0);
}

TEST(Firewall, ChainWithPolicyDrop) {
  TestNet net;
  net.start_nginx();
  ASSERT_EQ(net.in_server("iptables -P INPUT DROP").exit_code, 0);
  Checked c = check_during(net, kHttpBurst);
  json fs = with_id(c.report, "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 1u) << dump(c.report);
  EXPECT_EQ(fs[0]["object"], "ip filter INPUT policy drop");
  EXPECT_EQ(fs[0]["evidence"][0]["counter"], "policy packets");
  EXPECT_GT(fs[0]["evidence"][0]["delta"].get<uint64_t>(), 0u);
  EXPECT_EQ(fs[0]["fix"][0],
            "ip netns exec " + net.server() + " iptables -t filter -P INPUT ACCEPT");
}

TEST(Firewall, BusyAcceptRulesetGivesNoFinding) {
  TestNet net;
  net.start_nginx();
  std::string rules =
      "set -e; nft add table inet busy; nft add chain inet busy in "
      "'{ type filter hook input priority 0; policy accept; }'; ";
  for (int i = 0; i < 25; ++i) {
    rules += "iptables -A INPUT -p tcp --dport " + std::to_string(80 + (i % 2) * 1000) +
             " -j ACCEPT; iptables -A OUTPUT -p tcp --sport 80 -j ACCEPT; ";
    rules += "nft add rule inet busy in tcp dport 80 counter accept; ";
  }
  auto add = net.in_server(rules);
  ASSERT_EQ(add.exit_code, 0) << add.err;
  Checked c = check_during(net, kHttpBurst);
  ASSERT_FALSE(c.report.is_discarded());
  for (const auto& f : c.report["findings"]) EXPECT_NE(f["layer"], "netfilter") << f.dump();
  // The ACCEPT counters really moved: the ruleset was busy, not idle.
  auto moved = net.in_server("iptables -L INPUT -v -x -n | awk 'NR==3 {print $1}'");
  EXPECT_GT(std::atoi(moved.out.c_str()), 0);
}
