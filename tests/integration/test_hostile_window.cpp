// The host changing under pktloss during its window (issue 13): a ruleset flushed and re-added
// (handles reused), iptables rules replaced, an interface deleted and re-created under the same
// name, the observed namespace deleted, processes exiting while their sockets are resolved.
// Each: a note where identity changed, never a wrong delta, never a crash.
#include <gtest/gtest.h>

#include <string>

#include "testnet.h"

using pktloss::testing::CommandResult;
using pktloss::testing::sh;
using pktloss::testing::TestNet;

namespace {

nlohmann::json report_of(const CommandResult& r) {
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << "\n" << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
  return j.is_discarded() ? nlohmann::json::object() : j;
}

// `n` UDP datagrams from the client to the server's port (one packet each: deterministic).
std::string udp_to(int port, int n) {
  return "for i in $(seq " + std::to_string(n) + "); do echo x > /dev/udp/" +
         std::string(TestNet::kServerIp) + "/" + std::to_string(port) + "; done";
}

// The packets delta of the drop-rule finding whose rule text contains `needle` (-1: none).
long long rule_delta(const nlohmann::json& report, const std::string& needle) {
  for (const auto& f : TestNet::findings_with_id(report, "netfilter.drop_rule"))
    for (const auto& e : f["evidence"])
      if (e.value("counter", "") == "packets" &&
          e.value("text", "").find(needle) != std::string::npos)
        return e.contains("delta") ? e["delta"].get<long long>() : -1;
  return -1;
}

bool any_note(const nlohmann::json& report, const std::string& needle) {
  for (const auto& n : report.value("notes", nlohmann::json::array()))
    if (n.get<std::string>().find(needle) != std::string::npos) return true;
  return false;
}

// No evidence anywhere claims an absurd delta (a negative one wrapped around 2^64).
void expect_no_huge_delta(const nlohmann::json& report) {
  for (const auto& f : report.value("findings", nlohmann::json::array()))
    for (const auto& e : f.value("evidence", nlohmann::json::array()))
      if (e.contains("delta") && e["delta"].is_number_unsigned()) {
        EXPECT_LT(e["delta"].get<uint64_t>(), 1ull << 40) << f.dump();
      }
}

const char* kRuleset = R"(table inet plh {
  chain input {
    type filter hook input priority 0;
    %s
  }
})";

std::string ruleset(const std::string& rules) {
  char buf[512];
  std::snprintf(buf, sizeof buf, kRuleset, rules.c_str());
  return buf;
}

}  // namespace

TEST(HostileWindow, NftRulesetFlushedAndReAddedWithHandlesReused) {
  TestNet net;
  sh("printf '%s\\n' '" + ruleset("udp dport 81 counter drop\n    udp dport 82 counter drop") +
     "' > " + net.workdir() + "/a.nft");
  sh("printf '%s\\n' '" + ruleset("udp dport 82 counter drop\n    udp dport 81 counter drop") +
     "' > " + net.workdir() + "/b.nft");
  ASSERT_EQ(net.in_server("nft -f " + net.workdir() + "/a.nft").exit_code, 0);
  net.in_client(udp_to(81, 10));  // before the window: the 81 rule (handle 2) has 10
  // In the window the ruleset is flushed and re-added in the other order: handle 2 is now the
  // 82 rule. 15 to 82 and 4 to 81 inside the window; a handle-only match would say 82 moved 5.
  auto fut = net.pktloss_started("check -n " + net.server() + " -i 60 --no-trace --json");
  net.in_server("nft flush ruleset && nft -f " + net.workdir() + "/b.nft");
  net.in_client(udp_to(82, 15) + "; " + udp_to(81, 4));
  auto report = report_of(fut.finish());
  EXPECT_EQ(rule_delta(report, "dport 82"), 15) << report["findings"].dump(1);
  EXPECT_EQ(rule_delta(report, "dport 81"), 4) << report["findings"].dump(1);
  EXPECT_TRUE(any_note(report, "nft table inet plh was deleted and re-created"))
      << report["notes"].dump(1);
  expect_no_huge_delta(report);
}

TEST(HostileWindow, NftRulesetReloadedUnchangedCountsFromTheReload) {
  TestNet net;
  sh("printf '%s\\n' '" + ruleset("udp dport 81 counter drop") + "' > " + net.workdir() + "/a.nft");
  ASSERT_EQ(net.in_server("nft -f " + net.workdir() + "/a.nft").exit_code, 0);
  net.in_client(udp_to(81, 5));
  // The same rule text and the same handle after the reload, its counter back at zero and then
  // past its old value: only the table's new handle tells it is not the same rule. 8 in the
  // window, not 8 - 5.
  auto fut = net.pktloss_started("check -n " + net.server() + " -i 60 --no-trace --json");
  net.in_server("nft flush ruleset && nft -f " + net.workdir() + "/a.nft");
  net.in_client(udp_to(81, 8));
  auto report = report_of(fut.finish());
  EXPECT_EQ(rule_delta(report, "dport 81"), 8) << report["findings"].dump(1);
  EXPECT_TRUE(any_note(report, "re-created")) << report["notes"].dump(1);
  expect_no_huge_delta(report);
}

TEST(HostileWindow, IptablesRulesReplacedDuringTheWindow) {
  TestNet net;
  ASSERT_EQ(net.in_server("iptables -A INPUT -p udp --dport 83 -j DROP").exit_code, 0);
  net.in_client(udp_to(83, 10));
  auto fut = net.pktloss_started("check -n " + net.server() + " -i 60 --no-trace --json");
  // iptables-restore of the whole table: the same rule again (new counter) plus another.
  net.in_server(
      "printf '*filter\\n:INPUT ACCEPT [0:0]\\n-A INPUT -p udp --dport 84 -j DROP\\n"
      "-A INPUT -p udp --dport 83 -j DROP\\nCOMMIT\\n' | iptables-restore");
  net.in_client(udp_to(83, 12) + "; " + udp_to(84, 3));
  auto report = report_of(fut.finish());
  EXPECT_EQ(rule_delta(report, "dport 83"), 12) << report["findings"].dump(1);
  EXPECT_EQ(rule_delta(report, "dport 84"), 3) << report["findings"].dump(1);
  expect_no_huge_delta(report);
}

TEST(HostileWindow, InterfaceDeletedAndReCreatedUnderTheSameName) {
  TestNet net;
  // d0: one end of a veth pair whose root qdisc (a pfifo of length 0: no bypass, every packet
  // dropped) has a fixed handle, so only the device's identity tells old from new. No IPv6
  // chatter, and a permanent neighbour so no ARP either.
  const std::string make_d0 =
      "ip link add d0 type veth peer name d0p && ip link set d0p up && ip link set d0 up && "
      "ip addr add 10.99.0.1/24 dev d0 && "
      "ip neigh replace 10.99.0.2 lladdr 02:00:00:00:00:02 dev d0 nud permanent && "
      "tc qdisc add dev d0 root handle 1: pfifo limit 0";
  ASSERT_EQ(net.in_server("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
                          "net.ipv6.conf.default.disable_ipv6=1 && " +
                          make_d0)
                .exit_code,
            0);
  const std::string send = "for i in $(seq %d); do echo x > /dev/udp/10.99.0.2/9; done";
  auto send_n = [&](int n) {
    char b[128];
    std::snprintf(b, sizeof b, send.c_str(), n);
    return std::string(b);
  };
  net.in_server(send_n(20));  // before: netem dropped 20
  auto fut = net.pktloss_started("check -n " + net.server() + " -i 60 --no-trace --json");
  net.in_server("ip link del d0 && " + make_d0 + " && " + send_n(30));
  auto report = report_of(fut.finish());
  expect_no_huge_delta(report);
  EXPECT_TRUE(any_note(report, "d0 was deleted and re-created")) << report["notes"].dump(1);
  // The new d0's qdisc dropped 30 in the window (its counter started at 0): not 30 - 20.
  bool seen = false;
  for (const auto& f : report["findings"]) {
    if (f.value("id", "").rfind("qdisc.", 0) != 0) continue;
    for (const auto& e : f["evidence"])
      if (e.value("counter", "") == "drops" && e.contains("delta")) {
        seen = true;
        EXPECT_GE(e["delta"].get<long long>(), 30) << f.dump();
        EXPECT_LE(e["delta"].get<long long>(), 34) << f.dump();
      }
  }
  EXPECT_TRUE(seen) << report["findings"].dump(1);
}

TEST(HostileWindow, ObservedNamespaceDeletedMidWindow) {
  TestNet net;
  net.start_nginx();
  auto fut = net.pktloss_started("diagnose -n " + net.client() + " --observe " + net.server() +
                                 " --target 10.77.0.2:80 --count 6 --interval 200 --sizes none "
                                 "--json");
  // Everything inside goes, then the namespace itself, while the probes run.
  sh("ip netns pids " + net.server() + " | xargs -r kill -9; ip netns del " + net.server());
  auto report = report_of(fut.result.get());
  EXPECT_TRUE(any_note(report, "namespace " + net.server() + " vanished"))
      << report["notes"].dump(1);
  expect_no_huge_delta(report);
  // And check -i on it alone.
  TestNet net2;
  auto fut2 = net2.pktloss_started("check -n " + net2.server() + " -i 60 --json");
  sh("ip netns del " + net2.server());
  auto report2 = report_of(fut2.finish());
  EXPECT_TRUE(any_note(report2, "vanished")) << report2["notes"].dump(1);
}

TEST(HostileWindow, ProcessesExitingWhileTheirSocketsAreResolved) {
  TestNet net;
  // A reject rule on 5555 makes every socket on that port an owner candidate (the rule names
  // the listener behind it); processes holding such sockets come and go in milliseconds.
  ASSERT_EQ(net.in_server("nft add table inet plo && nft add chain inet plo input "
                          "'{ type filter hook input priority 0; }' && nft add rule inet plo "
                          "input tcp dport 5555 counter reject && nft add rule inet plo input "
                          "udp dport 5555 counter reject")
                .exit_code,
            0);
  std::string script = net.workdir() + "/churn.py";
  sh("cat > " + script + R"( <<'EOF'
import os, random, socket, time
end = time.time() + 30
while time.time() < end:
    kids = []
    for _ in range(6):
        pid = os.fork()
        if pid == 0:
            held = []
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(socket.AF_INET, kind)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                s.bind(("127.0.0.1", 5555))
                if kind == socket.SOCK_STREAM:
                    s.listen()
                held.append(s)
            time.sleep(random.random() * 0.004)
            os._exit(0)
        kids.append(pid)
    for k in kids:
        os.waitpid(k, 0)
EOF)");
  net.spawn(net.server(), "exec python3 " + script);
  for (int i = 0; i < 3; ++i) {
    auto once = net.pktloss("check -n " + net.server() + " --json", 60);
    report_of(once);
    EXPECT_EQ(once.err.find("terminate"), std::string::npos) << once.err;
  }
  auto windowed = net.pktloss("check -n " + net.server() + " -i 1 --no-trace --json", 60);
  report_of(windowed);
  EXPECT_EQ(windowed.err.find("terminate"), std::string::npos) << windowed.err;
}
