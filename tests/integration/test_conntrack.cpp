// A full conntrack table in the server namespace. nf_conntrack_max is global (initial namespace
// only) and other suites run on this machine in parallel: it is lowered for well under a second,
// only as low as this test needs, and restored on every path (shell line + RAII guard).
#include <gtest/gtest.h>

#include <fstream>

#include "collect/collectors.h"
#include "testnet.h"

using nlohmann::json;
using pktloss::testing::run_in_named_netns;
using pktloss::testing::sh;
using pktloss::testing::TestNet;

namespace {

constexpr const char* kMaxPath = "/proc/sys/net/netfilter/nf_conntrack_max";

std::string read_max() {
  std::ifstream f(kMaxPath);
  std::string v;
  f >> v;
  return v;
}

// Restores nf_conntrack_max when the test leaves, whatever way it leaves.
class ConntrackMaxGuard {
 public:
  ConntrackMaxGuard() : saved_(read_max()) {}
  ~ConntrackMaxGuard() {
    if (!saved_.empty() && read_max() != saved_) std::ofstream(kMaxPath) << saved_;
  }
  const std::string& saved() const { return saved_; }

 private:
  std::string saved_;
};

}  // namespace

TEST(Conntrack, FullTableIsReportedWithASizedFix) {
  TestNet net;
  // Any conntrack match makes the namespace track connections.
  ASSERT_EQ(net.in_server("iptables -A INPUT -m conntrack --ctstate INVALID -j DROP").exit_code, 0);
  bool collected = false;
  run_in_named_netns(net.server(), [&] {
    pktloss::NetnsSnapshot ns;
    pktloss::collect_conntrack(ns);
    collected = ns.conntrack.available && ns.conntrack.max > 0;
  });
  if (!collected) GTEST_SKIP() << "conntrack collector not available in this build";

  ConntrackMaxGuard guard;
  ASSERT_FALSE(guard.saved().empty());
  // 128 is far above what a test namespace holds, so parallel suites are not affected; 300 new
  // UDP flows to closed ports (unreplied entries live 30 s) overflow it here.
  std::string out = net.workdir() + "/ct.json";
  std::string cmd = std::string(PKTLOSS_BINARY) + " check -n " + net.server() + " -i 2 --json > " +
                    out + " 2>/dev/null & P=$!; sleep 0.8; echo 128 > " + kMaxPath +
                    "; ip netns exec " + net.client() +
                    " bash -c 'for p in $(seq 2000 2300); do echo x > /dev/udp/10.77.0.2/$p; "
                    "done' 2>/dev/null; echo " +
                    guard.saved() + " > " + kMaxPath + "; wait $P";
  sh(cmd, 60);
  EXPECT_EQ(read_max(), guard.saved());
  std::ifstream f(out);
  json report = json::parse(f, nullptr, false);
  ASSERT_FALSE(report.is_discarded());
  json fs = TestNet::findings_with_id(report, "netfilter.conntrack_full");
  ASSERT_EQ(fs.size(), 1u) << report.dump(1);
  EXPECT_EQ(fs[0]["severity"], "critical");
  EXPECT_TRUE(fs[0]["moved_in_window"].get<bool>());
  std::string fix = fs[0]["fix"][0];
  EXPECT_EQ(fix.rfind("sysctl -w net.netfilter.nf_conntrack_max=", 0), 0u) << fix;
}
