// transport.no_listener and transport.udp_no_port with real traffic to closed ports.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "testnet.h"

using pktloss::testing::TestNet;

namespace {

nlohmann::json check_during(const TestNet& net, const std::string& ns,
                            const std::function<void()>& traffic) {
  auto fut = net.pktloss_started("check -n " + ns + " -i 60 --json");
  traffic();
  auto r = fut.finish();
  EXPECT_NE(r.exit_code, 2) << r.err;
  return nlohmann::json::parse(r.out.empty() ? "{}" : r.out);
}

uint64_t counter_delta(const nlohmann::json& f, const std::string& counter) {
  for (const auto& e : f["evidence"])
    if (e.value("counter", "") == counter) return e.value("delta", uint64_t{0});
  return 0;
}

// TcpExt.EmbryonicRsts of the server namespace, straight from its /proc/net/netstat.
long embryonic_resets(const TestNet& net) {
  auto r = net.in_server(
      "awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == \"EmbryonicRsts\") c = i; "
      "h = 1 } else print $c }' /proc/net/netstat");
  return r.exit_code == 0 && !r.out.empty() ? std::stol(r.out) : -1;
}

}  // namespace

TEST(TransportRules, ConnectionsToAClosedPortAreNoListener) {
  TestNet net;
  net.start_nginx();  // port 80 is open; 81 is not
  auto report = check_during(net, net.server(), [&] {
    net.in_client("for i in $(seq 10); do curl -s -o /dev/null -m 1 http://10.77.0.2:81/; done");
  });
  auto found = TestNet::findings_with_id(report, "transport.no_listener");
  ASSERT_EQ(found.size(), 1u) << report.dump(2);
  const auto& f = found[0];
  EXPECT_EQ(f["netns"], net.server());
  EXPECT_EQ(f["severity"], "warning");
  EXPECT_GE(counter_delta(f, "Tcp.OutRsts"), 10u) << f.dump(2);
  bool listeners = false;
  for (const auto& e : f["evidence"])
    listeners |= e.value("text", "").find("listener here: 80") != std::string::npos;
  EXPECT_TRUE(listeners) << f.dump(2);
}

TEST(TransportRules, RefusedConnectsShowOnTheClientToo) {
  TestNet net;
  auto report = check_during(net, net.client(), [&] {
    net.in_client("for i in $(seq 10); do curl -s -o /dev/null -m 1 http://10.77.0.2:81/; done");
  });
  auto found = TestNet::findings_with_id(report, "transport.no_listener");
  ASSERT_EQ(found.size(), 1u) << report.dump(2);
  EXPECT_EQ(found[0]["netns"], net.client());
  EXPECT_GE(counter_delta(found[0], "Tcp.AttemptFails"), 10u) << found[0].dump(2);
}

// hping3 -S from the client (raw SYNs, not pktloss's prober): the client's kernel resets every
// SYN-ACK, and the server counts failed attempts and embryonic resets. The server did nothing
// wrong: no transport finding there may blame it.
TEST(TransportRules, HalfOpenScanFromAPeerDoesNotBlameTheServer) {
  TestNet net;
  net.start_nginx();
  const long embryonic_before = embryonic_resets(net);
  long embryonic_after = 0;
  auto report = check_during(net, net.server(), [&] {
    net.in_client("timeout 10 hping3 -q -S -p 80 -c 20 -i u50000 10.77.0.2 >/dev/null 2>&1");
    embryonic_after = embryonic_resets(net);
  });
  EXPECT_TRUE(TestNet::findings_with_id(report, "transport.no_listener").empty()) << report.dump(2);
  EXPECT_TRUE(TestNet::findings_with_id(report, "transport.syn_failures").empty())
      << report.dump(2);
  // The scan happened inside the window and looked like the fault: the server's kernel counted
  // the peer's resets (read by the test itself, not by pktloss).
  EXPECT_GE(embryonic_after - embryonic_before, 10) << "the scan did not reach the server";
}

TEST(TransportRules, UdpToAClosedPortIsUdpNoPort) {
  TestNet net;
  auto report = check_during(net, net.server(), [&] {
    net.in_client("for i in $(seq 20); do echo x > /dev/udp/10.77.0.2/9998; done");
  });
  auto found = TestNet::findings_with_id(report, "transport.udp_no_port");
  ASSERT_EQ(found.size(), 1u) << report.dump(2);
  EXPECT_EQ(found[0]["netns"], net.server());
  EXPECT_EQ(found[0]["severity"], "warning");
  EXPECT_EQ(counter_delta(found[0], "Udp.NoPorts"), 20u) << found[0].dump(2);
}

TEST(TransportRules, HealthyPairHasNoneOfOurIdsAtWarning) {
  TestNet net;
  net.start_nginx();
  for (const std::string& ns : {net.server(), net.client()}) {
    auto report = check_during(net, ns, [&] { EXPECT_EQ(net.curl_many("/30k.bin", 10), 10); });
    for (const auto& f : report["findings"]) {
      std::string id = f.value("id", "");
      bool ours =
          id.rfind("ip.", 0) == 0 || id.rfind("transport.", 0) == 0 || id.rfind("socket.", 0) == 0;
      if (ours) {
        EXPECT_EQ(f["severity"], "info") << ns << ": " << f.dump(2);
      }
    }
  }
}
