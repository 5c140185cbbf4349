// qdisc.drops on a real tbf with a tiny rate/burst/limit on the server's eth0: nginx's 30 KB
// answers overflow it.
#include <gtest/gtest.h>

#include "testnet.h"

using pktloss::testing::TestNet;

TEST(QdiscDrops, TinyTbfDroppingServerTrafficIsFound) {
  TestNet net;
  net.start_nginx();
  auto add = net.in_server("tc qdisc add dev eth0 root tbf rate 1mbit burst 1600 limit 3000");
  ASSERT_EQ(add.exit_code, 0) << add.err;

  auto r =
      net.pktloss_until_done("check -n " + net.server() + " -i 60 --json",
                             TestNet::in_netns(net.client(),
                                               "for i in $(seq 5); do curl -s -m 1 -o /dev/null "
                                               "http://10.77.0.2/30k.bin; done"));
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  auto report = nlohmann::json::parse(r.out);
  auto fs = TestNet::findings_with_id(report, "qdisc.drops");
  ASSERT_EQ(fs.size(), 1u) << report.dump(1);
  const auto& f = fs[0];
  EXPECT_NE(f["severity"], "info") << f.dump(1);
  EXPECT_TRUE(f["moved_in_window"].get<bool>());
  EXPECT_GT(f["volume"].get<uint64_t>(), 0u);
  EXPECT_NE(f["summary"].get<std::string>().find("tbf"), std::string::npos);
  EXPECT_EQ(f["evidence"][0]["text"], "tc qdisc: tbf rate 1Mbit burst 1600b limit 3000b");
  ASSERT_FALSE(f["fix"].empty());
  EXPECT_NE(f["fix"][0].get<std::string>().find("tc qdisc change dev eth0 root tbf rate 1Mbit"),
            std::string::npos)
      << f.dump(1);
}
