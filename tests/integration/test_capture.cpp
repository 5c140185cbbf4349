// pktloss capture on real traffic between two namespaces: the MTU-100 server black hole must
// come out as size-dependent loss, a healthy pair as ok, and bad input as a clear error.
#include <gtest/gtest.h>

#include "testnet.h"

using pktloss::testing::TestNet;

namespace {
// COUNT GETs of PATH from the client, run once the capture is up (pktloss_until_done).
std::string curls(const TestNet& net, const std::string& path, int count, double timeout_s) {
  return TestNet::in_netns(net.client(), "for i in $(seq 1 " + std::to_string(count) +
                                             "); do curl -s -o /dev/null -m " +
                                             std::to_string(timeout_s) + " http://" +
                                             TestNet::kServerIp + path + "; done");
}
}  // namespace

TEST(Capture, Mtu100ServerIsSizeDependentLoss) {
  TestNet net;
  net.start_nginx();
  ASSERT_EQ(net.in_server("ip link set eth0 mtu 100").exit_code, 0);
  std::string pcap = net.workdir() + "/mtu.pcap";
  auto r = net.pktloss_until_done(
      "capture -n " + net.client() + " -i eth0 -d 60 --write " + pcap + " --json",
      curls(net, "/30k.bin", 3, 1));
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
  auto r = net.pktloss_until_done(
      "capture -n " + net.client() + " -i eth0 -d 60 --filter 'tcp port 80' --json",
      curls(net, "/30k.bin", 5, 2));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["capture"]["kind"], "ok") << report["capture"].dump(2);
  EXPECT_GT(report["capture"]["packets"]["analysed"].get<int>(), 10);
  for (const auto& f : report["findings"]) EXPECT_EQ(f["severity"], "info") << f.dump();
}

TEST(Capture, ClosedPortIsARefusedConnection) {
  TestNet net;
  auto r = net.pktloss_until_done("capture -n " + net.client() + " -i eth0 -d 60 --json",
                                  curls(net, ":81/", 3, 1));
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

// A capture that holds one direction only (a capture filter) can't judge loss: no loss verdict,
// "one-sided" instead; and the saved file's text report names the file, not a host.
TEST(Capture, OneSidedCaptureIsNotLossAndFileReportNamesTheFile) {
  TestNet net;
  net.start_nginx();
  std::string pcap = net.workdir() + "/one_sided.pcap";
  auto r =
      net.pktloss_until_done("capture -n " + net.client() + " -i eth0 -d 60 --filter 'src host " +
                                 TestNet::kClientIp + "' --write " + pcap + " --json",
                             curls(net, "/30k.bin", 5, 2));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto report = nlohmann::json::parse(r.out);
  bool one_sided = false;
  for (const auto& f : report["capture"]["flows"]) {
    EXPECT_NE(f["kind"], "loss") << f.dump();
    EXPECT_NE(f["kind"], "size_dependent_loss") << f.dump();
    one_sided = one_sided || f["kind"] == "one_sided";
  }
  EXPECT_TRUE(one_sided) << report["capture"].dump(2);

  auto text = net.pktloss("capture --read " + pcap);
  ASSERT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("capture file " + pcap), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("netns file"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("-i SECONDS"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("qdisc"), std::string::npos) << text.out;  // not measurable here
  EXPECT_NE(text.out.find("one-sided capture: loss cannot be judged"), std::string::npos)
      << text.out;
}

// The same traffic captured at both ends of the veth pair and merged: every frame twice. The
// duplicates are counted and excluded, never retransmissions; the file's two interfaces are
// both read; gzip-compressed, it reads the same.
TEST(Capture, FramesCapturedTwiceAreDuplicatesAndGzipReads) {
  TestNet net;
  net.start_nginx();
  std::string a = net.workdir() + "/a.pcap", b = net.workdir() + "/b.pcap",
              merged = net.workdir() + "/merged.pcap";
  // "-i any" (Linux cooked v2) at the server, Ethernet at the client: the merged pcapng holds
  // two interfaces of different link types and snaplens, which libpcap refuses to read.
  // tcpdump says "listening on" once its socket is open; SIGINT makes it flush and exit
  // (--immediate-mode: without it, frames still in the ring's current block are never written).
  std::string tcpdump = "tcpdump --immediate-mode -i any -U -s 300 -w " + b + " tcp";
  net.spawn(net.server(), "exec timeout 120 " + tcpdump + " 2>" + b + ".log");
  ASSERT_EQ(pktloss::testing::sh("for i in $(seq 300); do grep -q 'listening on' " + b +
                                 ".log 2>/dev/null && exit 0; sleep 0.1; done; exit 1")
                .exit_code,
            0)
      << "tcpdump did not start";
  auto r = net.pktloss_until_done(
      "capture -n " + net.client() + " -i eth0 -d 60 --filter tcp --write " + a,
      curls(net, "/30k.bin", 8, 2));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(pktloss::testing::sh("pkill -INT -f '^" + tcpdump + "'; for i in $(seq 100); do " +
                                 "pgrep -f '^" + tcpdump + "' >/dev/null || exit 0; sleep 0.1; " +
                                 "done; exit 1")
                .exit_code,
            0)
      << "tcpdump did not exit";
  ASSERT_EQ(pktloss::testing::sh("mergecap -w " + merged + " " + a + " " + b).exit_code, 0);
  ASSERT_EQ(pktloss::testing::sh("gzip -k " + merged).exit_code, 0);
  EXPECT_NE(pktloss::testing::sh("tcpdump -nn -r " + merged + " >/dev/null").exit_code, 0);
  for (const std::string& file : {merged, merged + ".gz"}) {
    auto m = net.pktloss("capture --read " + file + " --json");
    ASSERT_EQ(m.exit_code, 0) << m.out << m.err;
    auto doc = nlohmann::json::parse(m.out);
    auto cap = doc["capture"];
    bool both = false;
    for (const auto& n : doc["notes"])
      both = both ||
             n.get<std::string>().find("2 interfaces in the file, all read") != std::string::npos;
    EXPECT_TRUE(both) << doc["notes"].dump();
    EXPECT_GT(cap["packets"]["duplicate_frames"].get<int>(), 100) << cap["packets"].dump();
    for (const auto& f : cap["flows"]) {
      EXPECT_EQ(f["client_to_server"]["retransmits"], 0) << f.dump();
      EXPECT_EQ(f["server_to_client"]["retransmits"], 0) << f.dump();
      EXPECT_EQ(f["kind"], "ok") << f.dump();
    }
  }
}

// The time-sequence graph from a real capture of the MTU-100 black hole: `capture --html`
// (live) and `capture --read --html` both write a self-contained page whose graph marks the
// retransmissions, the segments never acknowledged and the size threshold.
TEST(Capture, HtmlReportDrawsTheTimeSequenceGraphOfTheBlackHole) {
  TestNet net;
  net.start_nginx();
  ASSERT_EQ(net.in_server("ip link set eth0 mtu 100").exit_code, 0);
  std::string pcap = net.workdir() + "/graph.pcap", live = net.workdir() + "/live.html",
              saved = net.workdir() + "/saved.html";
  auto r = net.pktloss_until_done("capture -n " + net.client() +
                                      " -i eth0 -d 60 --filter 'tcp port 80' --write " + pcap +
                                      " --html " + live,
                                  curls(net, "/30k.bin", 3, 1));
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("HTML report written to " + live), std::string::npos) << r.err;
  std::string svgs = net.workdir() + "/svgs";
  auto again = net.pktloss("capture --read " + pcap + " --html " + saved + " --svg-dir " + svgs);
  ASSERT_EQ(again.exit_code, 1) << again.out << again.err;
  for (const std::string& file : {live, saved}) {
    auto html = pktloss::testing::sh("cat " + file).out;
    EXPECT_NE(html.find("<h2>Time-sequence graphs</h2>"), std::string::npos) << file;
    EXPECT_NE(html.find("class=\"seq\""), std::string::npos) << file;
    EXPECT_NE(html.find("class=\"seg retx"), std::string::npos) << file;
    EXPECT_NE(html.find("class=\"threshold\""), std::string::npos) << file;
    EXPECT_NE(html.find("lost\""), std::string::npos) << file;
    // Self-contained: nothing fetched from anywhere.
    EXPECT_EQ(html.find("<script"), std::string::npos) << file;
    EXPECT_EQ(html.find("href=\"http"), std::string::npos) << file;
    EXPECT_EQ(html.find("src=\""), std::string::npos) << file;
  }
  // --svg-dir: one file per graph, each with its own stylesheet.
  auto first = pktloss::testing::sh("cat " + svgs + "/flow-1.svg").out;
  EXPECT_EQ(first.rfind("<?xml", 0), 0u) << first.substr(0, 200);
  EXPECT_NE(first.find("<style>"), std::string::npos);
  EXPECT_NE(first.find("class=\"threshold\""), std::string::npos);
  EXPECT_NE(again.out.find("time-sequence graph(s) written to " + svgs), std::string::npos)
      << again.out;
  // For the browser test and a person: the page and the capture it came from.
  if (const char* art = getenv("PKTLOSS_ARTIFACTS"))
    pktloss::testing::sh(std::string("mkdir -p ") + art + " && cp " + saved + " " + art +
                         "/capture_mtu_blackhole.html && cp " + pcap + " " + art +
                         "/capture_mtu_blackhole.pcap");
}
