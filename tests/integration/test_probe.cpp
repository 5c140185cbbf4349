// `pktloss probe` against a real pair: healthy (everything answered), 30% random drop on the
// server's INPUT (SYN loss and application.probe_loss), MTU 100 on the server's eth0 (SYN passes,
// HTTP of a 30 KB file dies, the size sweep finds the limit, ip.pmtu_blackhole).
#include <gtest/gtest.h>
#include <unistd.h>

#include "model/json.h"
#include "rules/rule_families.h"
#include "testnet.h"

using nlohmann::json;
using pktloss::testing::TestNet;

namespace {

std::vector<pktloss::ProbeResult> parse(const pktloss::testing::CommandResult& r) {
  // The report document of the findings contract, the probes in its "probes" section.
  auto j = json::parse(r.out);
  EXPECT_EQ(j.value("tool", ""), "pktloss") << r.out;
  EXPECT_TRUE(j.at("probes").is_array()) << r.out;
  return j.at("probes").get<std::vector<pktloss::ProbeResult>>();
}

pktloss::Findings rules(const std::vector<pktloss::ProbeResult>& probes) {
  pktloss::Observations obs;
  obs.probes = probes;
  pktloss::Findings out;
  pktloss::application_rules(obs, pktloss::RuleConfig{}, out);
  return out;
}

std::string probe_cmd(const TestNet& net, const std::string& rest) {
  return "probe -n " + net.client() + " --target " + TestNet::kServerIp + ":80 --json " + rest;
}

}  // namespace

TEST(Probe, HealthyPairEveryProbeAnswered) {
  TestNet net;
  net.start_nginx();
  auto r = net.pktloss(probe_cmd(net, "--mode syn,connect,http,icmp,mtu --count 10 --interval 5"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto probes = parse(r);
  ASSERT_EQ(probes.size(), 5u);
  for (const auto& p : probes) {
    EXPECT_GT(p.sent, 0u) << p.kind;
    EXPECT_EQ(p.received, p.sent) << p.kind << ": " << p.detail;
    EXPECT_EQ(p.loss, 0.0) << p.kind;
    EXPECT_EQ(p.source_netns, net.client());
  }
  EXPECT_EQ(probes[0].kind, "tcp-syn");
  EXPECT_NE(probes[0].detail.find("10 SYN-ACK"), std::string::npos) << probes[0].detail;
  EXPECT_NE(probes[2].detail.find("HTTP 200"), std::string::npos) << probes[2].detail;
  EXPECT_GE(probes[4].max_ok_size, 1500u) << probes[4].detail;
  EXPECT_EQ(probes[4].min_failed_size, 0u) << probes[4].detail;
  EXPECT_TRUE(rules(probes).empty());
}

TEST(Probe, RandomDropOnServerInputShowsSynLoss) {
  TestNet net;
  net.start_nginx();
  auto ipt =
      net.in_server("iptables-nft -A INPUT -m statistic --mode random --probability 0.3 -j DROP");
  ASSERT_EQ(ipt.exit_code, 0) << ipt.err;
  auto r = net.pktloss(probe_cmd(net, "--mode syn --count 60 --interval 5 --timeout 500"));
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  auto probes = parse(r);
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].sent, 60u);
  EXPECT_GE(probes[0].loss, 0.10) << probes[0].detail;
  EXPECT_LE(probes[0].loss, 0.55) << probes[0].detail;
  EXPECT_GT(probes[0].loss_ci_low, 0.0);
  auto f = rules(probes);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "application.probe_loss");
}

TEST(Probe, Mtu100OnServerKillsDataNotHandshake) {
  TestNet net;
  net.start_nginx();
  ASSERT_EQ(net.in_server("ip link set dev eth0 mtu 100").exit_code, 0);
  auto r = net.pktloss(
      probe_cmd(net, "--mode syn,http,mtu --count 2 --interval 5 --timeout 500 --path /30k.bin"));
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  auto probes = parse(r);
  ASSERT_EQ(probes.size(), 3u);
  EXPECT_EQ(probes[0].received, probes[0].sent) << "SYN probes must pass: " << probes[0].detail;
  EXPECT_EQ(probes[1].kind, "http");
  EXPECT_EQ(probes[1].received, 0u) << probes[1].detail;
  const auto& m = probes[2];
  // veth accepts frames up to mtu + VLAN header (4 bytes) on receive, so 104-byte datagrams
  // still arrive on this kernel; anything above is dropped without frag-needed.
  EXPECT_GT(m.max_ok_size, 0u) << m.detail;
  EXPECT_LE(m.max_ok_size, 104u) << m.detail;
  EXPECT_GT(m.min_failed_size, m.max_ok_size) << m.detail;
  EXPECT_FALSE(m.frag_needed_seen);
  auto f = rules(probes);
  bool blackhole = false, http_mtu_hint = false;
  for (const auto& x : f) {
    blackhole |= x.id == "ip.pmtu_blackhole";
    http_mtu_hint |=
        x.id == "application.probe_loss" && x.explanation.find("check MTU") != std::string::npos;
  }
  EXPECT_TRUE(blackhole);
  EXPECT_TRUE(http_mtu_hint);
}

TEST(Probe, BadTargetIsAOneLineErrorWithExitTwo) {
  TestNet net;
  auto r = net.pktloss("probe --target 10.77.0.2:99999");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--target"), std::string::npos) << r.err;
  auto m = net.pktloss("probe --target 10.77.0.2 --mode bogus");
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_NE(m.err.find("--mode"), std::string::npos) << m.err;
}

TEST(Probe, ClosedPortAnswersWithRst) {
  TestNet net;
  auto r = net.pktloss("probe -n " + net.client() + " --target " + TestNet::kServerIp +
                       ":81 --json --mode syn,connect --count 5 --interval 5");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto probes = parse(r);
  ASSERT_EQ(probes.size(), 2u);
  EXPECT_EQ(probes[0].received, 5u);
  EXPECT_NE(probes[0].detail.find("5 RST"), std::string::npos) << probes[0].detail;
  EXPECT_EQ(probes[1].received, 5u);
  EXPECT_EQ(probes[1].errors, 5u);
}

TEST(Probe, IcmpUsesPingSocketWhenAllowed) {
  TestNet net;
  // net.ipv4.ping_group_range is per namespace: allow every group in the client only.
  ASSERT_EQ(net.in_client("sysctl -qw net.ipv4.ping_group_range='0 2147483647'").exit_code, 0);
  auto r = net.pktloss("probe -n " + net.client() + " --target " + TestNet::kServerIp +
                       " --json --mode icmp,mtu --count 5 --interval 5 --sizes 100,1000,1500");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto probes = parse(r);
  ASSERT_EQ(probes.size(), 2u);
  EXPECT_EQ(probes[0].received, 5u) << probes[0].detail;
  EXPECT_NE(probes[0].detail.find("ping socket"), std::string::npos) << probes[0].detail;
  EXPECT_EQ(probes[1].max_ok_size, 1500u) << probes[1].detail;
  EXPECT_NE(probes[1].detail.find("ping socket"), std::string::npos) << probes[1].detail;
}

// The server namespace routes to a third namespace over a link with MTU 1000: big DF probes get
// an ICMP frag-needed back, which is PMTU discovery working, not a black hole.
TEST(Probe, FragNeededFromARouterIsSeenAndNotABlackhole) {
  TestNet net;
  const std::string far = net.server() + "f";
  auto setup = pktloss::testing::sh(
      "ip netns add " + far + " && ip link add plf" + std::to_string(getpid()) + " netns " +
      net.server() + " mtu 1000 type veth peer name eth0 netns " + far + " mtu 1000 && " +
      "ip -n " + net.server() + " link set plf" + std::to_string(getpid()) + " name eth1 && " +
      "ip -n " + net.server() + " addr add 10.88.0.1/24 dev eth1 && ip -n " + net.server() +
      " link set eth1 up && ip -n " + far + " addr add 10.88.0.2/24 dev eth0 && ip -n " + far +
      " link set eth0 up && ip -n " + far + " route add default via 10.88.0.1 && " +
      "ip netns exec " + net.server() + " sysctl -qw net.ipv4.ip_forward=1 && ip -n " +
      net.client() + " route add 10.88.0.0/24 via 10.77.0.2");
  struct Cleanup {
    std::string ns;
    ~Cleanup() { pktloss::testing::sh("ip netns del " + ns); }
  } cleanup{far};
  ASSERT_EQ(setup.exit_code, 0) << setup.err;
  for (const char* sizes : {"auto", "500,1500"}) {
    auto r = net.pktloss("probe -n " + net.client() +
                         " --target 10.88.0.2 --json --mode mtu --timeout 500 --sizes " + sizes);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto probes = parse(r);
    ASSERT_EQ(probes.size(), 1u);
    const auto& m = probes[0];
    EXPECT_TRUE(m.frag_needed_seen) << m.detail;
    EXPECT_EQ(m.frag_needed_mtu, 1000u) << m.detail;
    if (std::string(sizes) == "auto") {
      EXPECT_EQ(m.max_ok_size, 1000u) << m.detail;
      EXPECT_EQ(m.min_failed_size, 1001u) << m.detail;
    }
    EXPECT_TRUE(rules(probes).empty());
  }
}

// Random loss must not look like a size limit: a silent size is retried before it counts.
TEST(Probe, RandomDropIsNotMistakenForAnMtuBlackhole) {
  TestNet net;
  ASSERT_EQ(net.in_server("iptables-nft -A INPUT -m statistic --mode random --probability 0.3 "
                          "-j DROP")
                .exit_code,
            0);
  auto r = net.pktloss("probe -n " + net.client() + " --target " + TestNet::kServerIp +
                       " --json --mode mtu --timeout 300");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto probes = parse(r);
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].max_ok_size, 1500u) << probes[0].detail;
  EXPECT_EQ(probes[0].min_failed_size, 0u) << probes[0].detail;
  EXPECT_TRUE(rules(probes).empty());
}
