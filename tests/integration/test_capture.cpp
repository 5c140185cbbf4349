// pktloss capture on real traffic between two namespaces: the MTU-100 server black hole must
// come out as size-dependent loss, a healthy pair as ok, and bad input as a clear error.
#include <gtest/gtest.h>

#include "testnet.h"

using pktloss::testing::TestNet;

namespace {
// Repeated GETs of the 30 KB file, starting once the capture is up.
std::string curl_loop(const std::string& path, double timeout_s) {
  return "sleep 0.7; for i in $(seq 1 30); do curl -s -o /dev/null -m " +
         std::to_string(timeout_s) + " http://" + TestNet::kServerIp + path + "; done";
}
}  // namespace

TEST(Capture, Mtu100ServerIsSizeDependentLoss) {
  TestNet net;
  net.start_nginx();
  ASSERT_EQ(net.in_server("ip link set eth0 mtu 100").exit_code, 0);
  net.spawn(net.client(), curl_loop("/30k.bin", 1));
  std::string pcap = net.workdir() + "/mtu.pcap";
  auto r = net.pktloss("capture -n " + net.client() + " -i eth0 -d 3 --write " + pcap + " --json");
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["capture"]["kind"], "size_dependent_loss") << report["capture"].dump(2);
  std::string summary = report["capture"]["summary"];
  EXPECT_NE(summary.find("no ICMP frag-needed: size-dependent loss"), std::string::npos) << summary;
  ASSERT_FALSE(report["flows"].empty());
  EXPECT_EQ(report["flows"][0]["kind"], "size_dependent_loss") << report["flows"][0].dump();
  EXPECT_EQ(report["flows"][0]["frag_needed_seen"], false);
  auto blackhole = TestNet::findings_with_id(report, "ip.pmtu_blackhole");
  ASSERT_EQ(blackhole.size(), 1u) << r.out;
  EXPECT_EQ(blackhole[0]["severity"], "critical");
  EXPECT_EQ(blackhole[0]["object"], std::string("path to ") + TestNet::kServerIp);

  // The saved file gives the same verdict, and tcpdump reads it too.
  auto again = net.pktloss("capture --read " + pcap + " --json");
  ASSERT_EQ(again.exit_code, 1) << again.out << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["capture"]["kind"], "size_dependent_loss");
  EXPECT_EQ(pktloss::testing::sh("tcpdump -nn -r " + pcap + " >/dev/null").exit_code, 0);
}

TEST(Capture, HealthyPairIsOkAndExitsZero) {
  TestNet net;
  net.start_nginx();
  net.spawn(net.client(), curl_loop("/30k.bin", 2));
  auto r =
      net.pktloss("capture -n " + net.client() + " -i eth0 -d 2 --filter 'tcp port 80' --json");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["capture"]["kind"], "ok") << report["capture"].dump(2);
  EXPECT_GT(report["capture"]["packets"]["analysed"].get<int>(), 10);
  for (const auto& f : report["findings"]) EXPECT_EQ(f["severity"], "info") << f.dump();
}

TEST(Capture, ClosedPortIsARefusedConnection) {
  TestNet net;
  net.spawn(net.client(), std::string("sleep 0.7; for i in 1 2 3; do curl -s -m 1 http://") +
                              TestNet::kServerIp + ":81/; done");
  auto r = net.pktloss("capture -n " + net.client() + " -i eth0 -d 2 --json");
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(TestNet::findings_with_id(report, "transport.no_listener").size(), 1u) << r.out;
}

TEST(Capture, BadInputIsAClearErrorWithExitTwo) {
  TestNet net;
  auto no_dev = net.pktloss("capture -n " + net.client() + " -i nosuch0 -d 1");
  EXPECT_EQ(no_dev.exit_code, 2);
  EXPECT_NE(no_dev.err.find("cannot capture on nosuch0"), std::string::npos) << no_dev.err;
  auto bad_filter =
      net.pktloss("capture -n " + net.client() + " -i eth0 -d 1 --filter 'tcp por 80'");
  EXPECT_EQ(bad_filter.exit_code, 2);
  EXPECT_NE(bad_filter.err.find("bad capture filter"), std::string::npos) << bad_filter.err;
  pktloss::testing::sh("echo garbage > " + net.workdir() + "/bad.pcap");
  auto bad_file = net.pktloss("capture --read " + net.workdir() + "/bad.pcap");
  EXPECT_EQ(bad_file.exit_code, 2);
  EXPECT_NE(bad_file.err.find("cannot read capture"), std::string::npos) << bad_file.err;
  auto neither = net.pktloss("capture");
  EXPECT_EQ(neither.exit_code, 2);
}
