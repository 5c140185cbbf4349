// Findings drawn from capture verdicts: the black hole becomes ip.pmtu_blackhole with fixes
// computed from the sizes seen; a healthy capture yields nothing.
#include <gtest/gtest.h>

#include "rules/capture_rules.h"
#include "test_capture_util.h"

using namespace pktloss::capture;
using namespace pktloss::capture::testutil;

TEST(CaptureFindings, BlackHoledFlowsBecomeOnePmtuFinding) {
  std::vector<Frame> f;
  for (uint16_t i = 0; i < 3; ++i) {
    TcpConv c(f, "10.77.0.1", "10.77.0.2", static_cast<uint16_t>(42000 + i));
    c.handshake(256);
    uint32_t at = c.client_data(80);
    for (int k = 0; k < 3; ++k) c.client_retransmit(at, 80);
  }
  auto findings = findings_from_capture(analyse_frames(f), {"plc", "eth0"});
  ASSERT_EQ(findings.size(), 1u);
  const auto& x = findings[0];
  EXPECT_EQ(x.id, "ip.pmtu_blackhole");
  EXPECT_EQ(x.severity, pktloss::Severity::critical);
  EXPECT_EQ(x.object, "path to 10.77.0.2");
  EXPECT_TRUE(x.moved_in_window);
  EXPECT_EQ(x.volume, 3u);  // the lost segments; their retransmissions are not counted again
  EXPECT_EQ(x.evidence.size(), 3u);
  EXPECT_EQ(x.evidence[0].source, "pcap");
  ASSERT_GE(x.fix.size(), 3u);
  EXPECT_EQ(x.fix[0],
            "ip netns exec plc ping -c 2 -M do -s 16 10.77.0.2   # passes (largest "
            "delivered size)");
  EXPECT_EQ(x.fix[2], "ip netns exec plc ip route replace 10.77.0.2 dev eth0 mtu lock 44");
}

TEST(CaptureFindings, RefusedUnansweredAndClosedUdpPorts) {
  std::vector<Frame> f;
  TcpConv refused(f, "10.0.0.1", "10.0.0.2", 40001, 81);
  refused.syn();
  refused.rst_to_syn();
  TcpConv lost(f, "10.0.0.1", "10.0.0.3", 40002, 80);
  lost.syn();
  lost.advance_ms(1000);
  lost.syn();
  Bytes d = make_udp("10.0.0.1", "10.0.0.2", 5353, 9999, 30);
  f.push_back({lost.clock() + 1, d});
  f.push_back({lost.clock() + 2, make_icmp_error("10.0.0.2", "10.0.0.1", 3, 3, 0, d)});
  auto findings = findings_from_capture(analyse_frames(f), {"host", ""});
  std::vector<std::string> ids;
  for (const auto& x : findings) ids.push_back(x.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"transport.syn_failures", "transport.no_listener",
                                           "transport.udp_no_port"}));
}

TEST(CaptureFindings, HealthyCaptureHasNoFinding) {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2");
  c.handshake();
  c.client_data(100);
  c.ack_from_server();
  c.server_data(1448);
  c.ack_from_client();
  EXPECT_TRUE(findings_from_capture(analyse_frames(f), {"host", "eth0"}).empty());
}

TEST(CaptureFindings, SavedFileGetsNoLiveHostAdviceAndPlainEvidence) {
  std::vector<Frame> f;
  TcpConv lost(f, "10.0.0.1", "10.0.0.3", 40002, 80);
  lost.syn();
  lost.advance_ms(1000);
  lost.syn();
  pktloss::CaptureContext ctx;
  ctx.from_file = true;
  auto findings = findings_from_capture(analyse_frames(f), ctx);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "transport.syn_failures");
  EXPECT_TRUE(findings[0].netns.empty());
  for (const auto& fix : findings[0].fix) EXPECT_EQ(fix.find("pktloss trace"), std::string::npos);
  ASSERT_FALSE(findings[0].evidence.empty());
  EXPECT_TRUE(findings[0].evidence[0].counter.empty());  // packet counts, not counter deltas
  EXPECT_EQ(findings[0].evidence[0].text.rfind("2 SYNs: tcp 10.0.0.1:40002 -> 10.0.0.3:80", 0), 0u)
      << findings[0].evidence[0].text;
}
