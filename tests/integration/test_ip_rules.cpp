// ip.rp_filter: strict reverse-path filtering drops traffic from a source the server cannot
// route back to (a spoofed / asymmetric source).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "testnet.h"

using pktloss::testing::run_in_named_netns;
using pktloss::testing::sh_ok;
using pktloss::testing::TestNet;

TEST(IpRules, StrictRpFilterDroppingUnroutableSources) {
  TestNet net;
  sh_ok("ip netns exec " + net.server() +
        " sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.eth0.rp_filter=1");
  // The client sends from 192.0.2.1, to which the server has no route back.
  sh_ok("ip -n " + net.client() + " addr add 192.0.2.1/32 dev eth0");
  // The server would also refuse to answer ARP from that source (same rp_filter check, but
  // not counted), so the client learns the server's MAC up front.
  auto mac = net.in_server("cat /sys/class/net/eth0/address").out;
  while (!mac.empty() && mac.back() == '\n') mac.pop_back();
  ASSERT_FALSE(mac.empty());
  sh_ok("ip -n " + net.client() + " neigh replace 10.77.0.2 lladdr " + mac +
        " dev eth0 nud permanent");
  auto fut = net.pktloss_started("check -n " + net.server() + " -i 60 --json");
  run_in_named_netns(net.client(), [] {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{}, to{};
    from.sin_family = to.sin_family = AF_INET;
    inet_pton(AF_INET, "192.0.2.1", &from.sin_addr);
    inet_pton(AF_INET, TestNet::kServerIp, &to.sin_addr);
    to.sin_port = htons(9);
    if (bind(s, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) ADD_FAILURE() << "bind";
    for (int i = 0; i < 5; ++i) sendto(s, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    close(s);
  });
  auto r = fut.finish();
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto report = nlohmann::json::parse(r.out);
  auto found = TestNet::findings_with_id(report, "ip.rp_filter");
  ASSERT_EQ(found.size(), 1u) << report.dump(2);
  const auto& f = found[0];
  EXPECT_EQ(f["netns"], net.server());
  EXPECT_EQ(f["severity"], "critical");
  bool counter = false, config = false;
  for (const auto& e : f["evidence"]) {
    if (e.value("counter", "") == "TcpExt.IPReversePathFilter" && e.value("delta", 0) >= 5)
      counter = true;
    if (e.value("text", "").find("eth0: rp_filter 1 (strict)") != std::string::npos) config = true;
  }
  EXPECT_TRUE(counter) << f.dump(2);
  EXPECT_TRUE(config) << f.dump(2);
  ASSERT_FALSE(f["fix"].empty());
  EXPECT_EQ(f["fix"][0],
            "ip netns exec " + net.server() + " sysctl -w net.ipv4.conf.all.rp_filter=2");
}
