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
