// Pathological names and shapes (issue 13, scale section, the cheap part): interface names of
// 15 bytes with shell metacharacters or bytes that are not UTF-8, a rule comment with quotes and
// a newline, a qdisc tree 8 levels deep. The report stays valid JSON, and the fix commands,
// pasted into sh, do exactly what they say (run here, in the test's own namespace).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "testnet.h"

using pktloss::testing::CommandResult;
using pktloss::testing::sh;
using pktloss::testing::TestNet;

namespace {

nlohmann::json report_of(const CommandResult& r) {
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << "\n" << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.err << r.out.substr(0, 500);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

// 15 bytes each, the kernel's limit: shell metacharacters, and bytes that are not UTF-8.
const char* kShellName = "e\"'$;|&<>*?{x()";  // as a C string; 15 bytes
const char* kShellNameSh = "$'e\"\\'$;|&<>*?{x()'";
const char* kBinaryNameSh = "$'\\xff\\xfe-!#`~[]=+,.^_'";

}  // namespace

TEST(Pathological, OddInterfaceNamesAndARuleCommentWithQuotesAndANewline) {
  ASSERT_EQ(std::string(kShellName).size(), 15u);
  TestNet net;
  const std::string in = "ip netns exec " + net.server() + " ";
  // A veth pair with the two odd names; the metacharacter end gets MTU 100 (a finding with a
  // fix that names it).
  ASSERT_EQ(sh(in + "ip link add " + kShellNameSh + " type veth peer name " + kBinaryNameSh +
               " && " + in + "ip link set " + kShellNameSh + " up && " + in + "ip link set " +
               kBinaryNameSh + " up && " + in + "ip link set " + kShellNameSh + " mtu 100")
                .exit_code,
            0);
  ASSERT_EQ(sh(in +
               "iptables -A INPUT -p udp --dport 7 -m comment --comment $'it\\'s \"q\"\\n"
               "line2 $(touch " +
               net.workdir() + "/pwned)' -j DROP")
                .exit_code,
            0);
  net.in_client("echo x > /dev/udp/" + std::string(TestNet::kServerIp) + "/7");
  auto r = net.pktloss("check -n " + net.server() + " --json");
  auto report = report_of(r);
  auto mtu = TestNet::findings_with_id(report, "link.mtu_low");
  auto rule = TestNet::findings_with_id(report, "netfilter.drop_rule");
  ASSERT_FALSE(mtu.empty()) << report["findings"].dump(1);
  ASSERT_FALSE(rule.empty()) << report["findings"].dump(1);
  // The text view prints too (raw bytes are fine there), and no line of it is a forged one.
  auto text = net.pktloss("check -n " + net.server());
  EXPECT_TRUE(text.exit_code == 0 || text.exit_code == 1) << text.err;
  // Paste the fixes: MTU back to 1500 on exactly that device, the commented rule deleted, and the
  // $(...) in the comment never ran.
  for (const auto& f : {mtu[0], rule[0]})
    for (const auto& fix : f["fix"]) {
      auto ran = sh("sh -c " + std::string("'") + [&] {
        std::string q;
        for (char c : fix.get<std::string>())
          q += c == '\'' ? std::string("'\\''") : std::string(1, c);
        return q;
      }() + "'");
      EXPECT_EQ(ran.exit_code, 0) << fix << "\n" << ran.err;
    }
  EXPECT_NE(sh(in + "ip link show " + kShellNameSh).out.find("mtu 1500"), std::string::npos);
  EXPECT_EQ(sh(in + "iptables-save | grep -c 'dport 7'").out, "0\n");
  EXPECT_NE(sh("test -e " + net.workdir() + "/pwned").exit_code, 0) << "a comment was executed";
}

TEST(Pathological, QdiscTreeAsDeepAsTheKernelAllows) {
  TestNet net;
  // htb inside htb as deep as the kernel lets a tree grow (htb's own limit is 8 levels; Debian's
  // 6.1 refuses the 8th qdisc: "Qdisc hierarchy is too deep"), then a tbf that drops takes
  // the deepest htb's place.
  ASSERT_EQ(net.in_server("tc qdisc add dev eth0 root handle 1: htb default 1").exit_code, 0);
  int deepest = 1;  // handle major of the deepest htb qdisc
  for (; deepest < 8; ++deepest) {
    std::string h = std::to_string(deepest), child = std::to_string(deepest + 1);
    ASSERT_EQ(net.in_server("tc class add dev eth0 parent " + h + ": classid " + h +
                            ":1 htb rate 100mbit")
                  .exit_code,
              0);
    auto add = net.in_server("tc qdisc add dev eth0 parent " + h + ":1 handle " + child +
                             ": htb default 1");
    if (add.exit_code != 0) {
      ASSERT_NE(add.err.find("too deep"), std::string::npos) << add.err;
      break;
    }
  }
  ASSERT_GE(deepest, 6) << "a tree this shallow tests nothing";
  std::string d = std::to_string(deepest), parent = std::to_string(deepest - 1);
  // A qdisc of another kind cannot take over the handle in place: delete, then add.
  auto made = net.in_server("tc qdisc del dev eth0 parent " + parent + ":1 handle " + d +
                            ": && tc qdisc add dev eth0 parent " + parent + ":1 handle " + d +
                            ": tbf rate 8kbit burst 1600 limit 1600");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto t0 = std::chrono::steady_clock::now();
  auto fut = net.pktloss_started("check -n " + net.server() + " -i 60 --no-trace --json");
  net.in_server("for i in $(seq 40); do head -c 1000 /dev/zero > /dev/udp/" +
                std::string(TestNet::kClientIp) + "/9; done");
  auto report = report_of(fut.finish());
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(took, 90) << "bounded time";  // a hang would be the timeout; TCG guests are slow
  auto drops = TestNet::findings_with_id(report, "qdisc.drops");
  // Every htb above counts the same drops: one finding, on the tbf that dropped (was: one per
  // level).
  ASSERT_EQ(drops.size(), 1u) << report["findings"].dump(1);
  EXPECT_NE(drops[0].dump().find("tbf"), std::string::npos) << drops[0].dump();
}
