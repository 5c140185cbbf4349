// A namespace created with `ip netns add host` is not the host's own: reports name it
// "netns/host" and its fixes run under `ip netns exec host`, never in the host's shell.
#include <gtest/gtest.h>

#include "testnet.h"

using pktloss::testing::sh;
using pktloss::testing::TestNet;

namespace {

// The name is fixed by what the test is about; the guard removes it even when the test fails.
struct NamedHostNetns {
  NamedHostNetns() { ok = sh("ip netns add host").exit_code == 0; }
  ~NamedHostNetns() { sh("ip netns del host"); }
  bool ok = false;
};

}  // namespace

TEST(NetnsIdentity, ANamespaceCalledHostIsNotTheHost) {
  if (sh("test -e /run/netns/host").exit_code == 0)
    GTEST_SKIP() << "/run/netns/host exists already";
  TestNet net;  // for its binary and work dir; the namespace under test is "host"
  NamedHostNetns ns;
  ASSERT_TRUE(ns.ok);
  ASSERT_EQ(sh("ip netns exec host ip link set lo up && "
               "ip netns exec host iptables-nft -A OUTPUT -p udp --dport 9 -j DROP && "
               "ip netns exec host bash -c 'for i in $(seq 20); do echo x > /dev/udp/127.0.0.1/9; "
               "done' 2>/dev/null; true")
                .exit_code,
            0);
  auto r = net.pktloss("check -n host --json");
  ASSERT_NE(r.exit_code, 2) << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report.value("netns", ""), "netns/host");
  auto drops = TestNet::findings_with_id(report, "netfilter.drop_rule");
  ASSERT_FALSE(drops.empty()) << r.out;
  EXPECT_EQ(drops[0].value("netns", ""), "netns/host");
  std::string fix = drops[0]["fix"].at(0).get<std::string>();
  EXPECT_EQ(fix.rfind("ip netns exec host iptables", 0), 0u) << fix;
  // Pasted as printed, the fix removes the rule in that namespace (and nothing on the host).
  EXPECT_EQ(sh(fix).exit_code, 0) << fix;
  EXPECT_EQ(sh("ip netns exec host iptables-nft -S OUTPUT | grep -c DROP").out, "0\n");
}
