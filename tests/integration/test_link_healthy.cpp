// A healthy pair under the same traffic as the fault tests: no link/qdisc finding at warning or
// above on either side.
#include <gtest/gtest.h>

#include "testnet.h"

using pktloss::testing::TestNet;

TEST(LinkQdiscHealthy, TrafficOnAHealthyPairRaisesNoLinkOrQdiscWarning) {
  TestNet net;
  net.start_nginx();
  for (const auto& ns : {net.server(), net.client()}) {
    net.spawn(net.client(),
              "for i in $(seq 20); do curl -s -m 1 -o /dev/null http://10.77.0.2/30k.bin; done");
    auto r = net.pktloss("check -n " + ns + " -i 2 --json");
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
