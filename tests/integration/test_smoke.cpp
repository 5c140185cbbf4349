// The harness itself, and a healthy pair: no finding at warning or above, exit code 0.
#include <gtest/gtest.h>

#include "testnet.h"

using pktloss::testing::TestNet;

TEST(Smoke, HealthyPairHasNoWarningAndExitsZero) {
  TestNet net;
  net.start_nginx();
  EXPECT_EQ(net.curl_many("/", 5), 5);
  auto r = net.pktloss("check -n " + net.server() + " -i 1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto report = nlohmann::json::parse(r.out);
  for (const auto& f : report["findings"]) EXPECT_EQ(f["severity"], "info") << f.dump();
}

TEST(Smoke, UnknownNamespaceIsAClearErrorWithExitTwo) {
  TestNet net;
  auto r = net.pktloss("check -n " + net.server() + "-does-not-exist");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no network namespace"), std::string::npos) << r.err;
}

TEST(Smoke, PidSelectsThatProcessNamespace) {
  TestNet net;
  net.spawn(net.server(), "sleep 30");
  auto pid = pktloss::testing::sh("ip netns pids " + net.server() + " | head -1").out;
  ASSERT_FALSE(pid.empty());
  pid.erase(pid.find_last_not_of("\n") + 1);
  auto r = net.pktloss("check -p " + pid + " --json");
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["netns"], "pid:" + pid);
}

TEST(Smoke, AllNetnsCoversTestNamespaces) {
  TestNet net;
  auto r = net.pktloss("check --all-netns --no-sockets --json");
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  std::string netns = nlohmann::json::parse(r.out)["netns"];
  EXPECT_NE(netns.find(net.client()), std::string::npos) << netns;
  EXPECT_NE(netns.find(net.server()), std::string::npos) << netns;
}

TEST(Smoke, NamespaceVanishingDuringTheWindowIsANoteNotACrash) {
  TestNet net;
  // Delete the server namespace while pktloss waits between its two snapshots (once its window
  // is open: deleted before the first snapshot, there is nothing to report and that is exit 2).
  auto r = net.pktloss_until_done("check -n " + net.server() + " -i 60 --json",
                                  "ip netns del " + net.server());
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_NE(report["notes"].dump().find(net.server()), std::string::npos) << report["notes"].dump();
}

TEST(Smoke, BadArgumentsAreUsageErrors) {
  TestNet net;
  EXPECT_EQ(net.pktloss("check -i -3").exit_code, 2);
  EXPECT_EQ(net.pktloss("check -n ../../etc").exit_code, 2);
  EXPECT_EQ(net.pktloss("check -p 0").exit_code, 2);
  EXPECT_EQ(net.pktloss("nosuchcommand").exit_code, 2);
}
