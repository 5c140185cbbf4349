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
  // Inside the window (however long the first snapshot takes): shrink the table, overflow it,
  // put the size back; then the window ends.
  auto r = net.pktloss_until_done(
      "check -n " + net.server() + " -i 60 --json",
      std::string("echo 128 > ") + kMaxPath + "; " +
          TestNet::in_netns(net.client(),
                            "for p in $(seq 2000 2300); do echo x > /dev/udp/10.77.0.2/$p; done") +
          "; echo " + guard.saved() + " > " + kMaxPath);
  EXPECT_EQ(read_max(), guard.saved());
  json report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out << r.err;
  json fs = TestNet::findings_with_id(report, "netfilter.conntrack_full");
  ASSERT_EQ(fs.size(), 1u) << report.dump(1);
  EXPECT_EQ(fs[0]["severity"], "critical");
  EXPECT_TRUE(fs[0]["moved_in_window"].get<bool>());
  std::string fix = fs[0]["fix"][0];
  EXPECT_EQ(fix.rfind("sysctl -w net.netfilter.nf_conntrack_max=", 0), 0u) << fix;
}
