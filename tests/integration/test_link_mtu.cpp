// link.mtu_low on a real veth pair: the server end set to MTU 100 while curl fetches 30 KB
// files. Seen from the server (its own MTU) and from the client (its peer's MTU).
#include <gtest/gtest.h>

#include "testnet.h"

using pktloss::testing::TestNet;

namespace {

// Run while pktloss's window is open (pktloss_until_done), so the drops fall inside it.
std::string curl_loop(const TestNet& net) {
  return TestNet::in_netns(
      net.client(),
      "for i in $(seq 5); do curl -s -m 1 -o /dev/null http://10.77.0.2/30k.bin; done");
}

bool fix_contains(const nlohmann::json& f, const std::string& s) {
  for (const auto& x : f["fix"])
    if (x.get<std::string>().find(s) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(LinkMtuLow, ServerEthMtu100IsFoundFromBothSides) {
  TestNet net;
  net.start_nginx();
  auto set = net.in_server("ip link set dev eth0 mtu 100");
  ASSERT_EQ(set.exit_code, 0) << set.err;

  auto r = net.pktloss_until_done("check -n " + net.server() + " -i 60 --json", curl_loop(net));
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  auto report = nlohmann::json::parse(r.out);
  auto fs = TestNet::findings_with_id(report, "link.mtu_low");
  ASSERT_EQ(fs.size(), 1u) << report.dump(1);
  EXPECT_EQ(fs[0]["object"], "eth0");
  EXPECT_TRUE(
      fix_contains(fs[0], "ip netns exec " + net.server() + " ip link set dev eth0 mtu 1500"))
      << fs[0].dump(1);
  // The drops the MTU causes are part of this finding, not separate link.rx_dropped ones.
  EXPECT_TRUE(TestNet::findings_with_id(report, "link.rx_dropped").empty()) << report.dump(1);

  auto c = net.pktloss_until_done("check -n " + net.client() + " -i 60 --json", curl_loop(net));
  ASSERT_EQ(c.exit_code, 1) << c.out << c.err;
  auto creport = nlohmann::json::parse(c.out);
  auto cfs = TestNet::findings_with_id(creport, "link.mtu_low");
  ASSERT_EQ(cfs.size(), 1u) << creport.dump(1);
  // The client's own eth0 is fine: the fix is for the peer, in the server's namespace.
  EXPECT_TRUE(
      fix_contains(cfs[0], "ip netns exec " + net.server() + " ip link set dev eth0 mtu 1500"))
      << cfs[0].dump(1);
}
