// A healthy pair under the same traffic as the fault tests: no link/qdisc finding at warning or
// above on either side.
#include <gtest/gtest.h>

#include "testnet.h"

using pktloss::testing::TestNet;

TEST(LinkQdiscHealthy, TrafficOnAHealthyPairRaisesNoLinkOrQdiscWarning) {
  TestNet net;
  net.start_nginx();
  for (const auto& ns : {net.server(), net.client()}) {
    auto r =
        net.pktloss_until_done("check -n " + ns + " -i 60 --json",
                               TestNet::in_netns(net.client(),
                                                 "for i in $(seq 10); do curl -s -m 1 -o /dev/null "
                                                 "http://10.77.0.2/30k.bin; done"));
    ASSERT_NE(r.exit_code, 2) << r.err;
    auto report = nlohmann::json::parse(r.out);
    for (const auto& f : report["findings"]) {
      std::string id = f["id"];
      if (id.rfind("link.", 0) == 0 || id.rfind("qdisc.", 0) == 0) {
        EXPECT_EQ(f["severity"], "info") << ns << " " << f.dump(1);
      }
    }
  }
}
