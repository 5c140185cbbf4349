// The flow analyser on crafted conversations written to pcap files and read back: each verdict
// fires on its fault and stays quiet on a healthy flow.
#include <gtest/gtest.h>

#include "test_capture_util.h"

using namespace pktloss::capture;
using namespace pktloss::capture::testutil;

namespace {
const FlowReport& only_flow(const CaptureAnalysis& a) {
  EXPECT_EQ(a.flows.size(), 1u);
  return a.flows.at(0);
}
}  // namespace

TEST(CaptureAnalyser, HealthyExchangeIsOk) {
  std::vector<Frame> f;
  TcpConv c(f, "10.77.0.1", "10.77.0.2");
  c.handshake();
  c.client_data(80);
  c.ack_from_server();
  for (int i = 0; i < 10; ++i) c.server_data(1448);
  c.ack_from_client();
  auto a = analyse_frames(f);
  const auto& r = only_flow(a);
  EXPECT_EQ(r.verdict.kind, "ok") << r.verdict.verdict;
  EXPECT_TRUE(r.handshake_done);
  EXPECT_EQ(r.out.acked_segments, 1u);
  EXPECT_EQ(r.back.acked_segments, 10u);
  EXPECT_EQ(r.back.max_delivered_size, 1488u);
  EXPECT_EQ(r.verdict.flow, "tcp 10.77.0.1:40000 -> 10.77.0.2:80");
  EXPECT_NE(a.summary.find("handshake 1/1 ok"), std::string::npos) << a.summary;
  EXPECT_EQ(a.summary_kind, "ok");
}

// The classic MTU black hole: SYN and SYN-ACK pass, the request segment is never ACKed and
// retransmitted, and no ICMP frag-needed comes back.
TEST(CaptureAnalyser, RequestNeverAckedIsSizeDependentLoss) {
  std::vector<Frame> f;
  TcpConv c(f, "10.77.0.1", "10.77.0.2");
  c.handshake(256);
  uint32_t at = c.client_data(80);
  for (int i = 0; i < 4; ++i) c.client_retransmit(at, 80);
  auto a = analyse_frames(f);
  const auto& r = only_flow(a);
  EXPECT_EQ(r.verdict.kind, "size_dependent_loss") << r.verdict.verdict;
  EXPECT_EQ(r.out.unacked_segments, 1u);
  EXPECT_EQ(r.out.retransmits, 4u);
  EXPECT_EQ(r.verdict.max_delivered_size, 44u);  // the SYN, answered
  EXPECT_EQ(r.verdict.min_lost_size, 120u);
  EXPECT_FALSE(r.verdict.frag_needed_seen);
  EXPECT_NE(r.verdict.verdict.find("no ICMP frag-needed: size-dependent loss"), std::string::npos)
      << r.verdict.verdict;
  EXPECT_NE(r.verdict.verdict.find("0/1 data segments above 44 bytes acknowledged"),
            std::string::npos);
}

TEST(CaptureAnalyser, SmallSegmentsDeliveredBigOnesLost) {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2", 40000, 22);
  c.handshake();
  for (int i = 0; i < 5; ++i) {
    c.client_data(40);
    c.ack_from_server();
  }
  uint32_t ack_point = c.client_seq();
  uint32_t big1 = c.client_data(1400);
  uint32_t big2 = c.client_data(1400);
  c.ack_from_server(ack_point);
  c.client_retransmit(big1, 1400);
  c.client_retransmit(big2, 1400);
  c.ack_from_server(ack_point);
  c.client_retransmit(big1, 1400);
  auto r = only_flow(analyse_frames(f));
  EXPECT_EQ(r.verdict.kind, "size_dependent_loss") << r.verdict.verdict;
  EXPECT_EQ(r.out.acked_segments, 5u);
  EXPECT_EQ(r.out.unacked_segments, 2u);
  EXPECT_EQ(r.out.max_delivered_size, 80u);
  EXPECT_EQ(r.out.min_lost_size, 1440u);
  EXPECT_GE(r.back.dup_acks, 1u);  // counted on the side that sends them
}

TEST(CaptureAnalyser, PeerGoneMidTransferIsLossNotSizeDependent) {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2");
  c.handshake();
  for (int i = 0; i < 3; ++i) {
    c.client_data(1000);
    c.ack_from_server();
  }
  uint32_t at = c.client_data(1000);
  c.client_retransmit(at, 1000);
  c.client_retransmit(at, 1000);
  auto r = only_flow(analyse_frames(f));
  EXPECT_EQ(r.verdict.kind, "loss") << r.verdict.verdict;
  EXPECT_EQ(r.out.unacked_segments, 1u);
}

TEST(CaptureAnalyser, YoungUnackedSegmentIsInFlightNotLost) {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2");
  c.handshake();
  c.client_data(1000);
  auto r = only_flow(analyse_frames(f));
  EXPECT_EQ(r.verdict.kind, "ok") << r.verdict.verdict;
  EXPECT_EQ(r.out.in_flight_segments, 1u);
  EXPECT_EQ(r.out.unacked_segments, 0u);
}

TEST(CaptureAnalyser, UnansweredSynsAndRefusedConnections) {
  std::vector<Frame> f;
  TcpConv lost(f, "10.0.0.1", "10.0.0.2", 40001, 80);
  lost.syn();
  lost.syn();
  lost.syn();
  TcpConv refused(f, "10.0.0.1", "10.0.0.2", 40002, 81);
  refused.syn();
  refused.rst_to_syn();
  auto a = analyse_frames(f);
  ASSERT_EQ(a.flows.size(), 2u);
  EXPECT_EQ(a.flows[0].verdict.kind, "syn_unanswered") << a.flows[0].verdict.verdict;
  EXPECT_EQ(a.flows[0].out.syns, 3u);
  EXPECT_NE(a.flows[0].verdict.verdict.find("3 SYNs unanswered"), std::string::npos);
  EXPECT_EQ(a.flows[1].verdict.kind, "reset") << a.flows[1].verdict.verdict;
  EXPECT_TRUE(a.flows[1].reset_to_syn);
  EXPECT_NE(a.summary.find("handshake 0/2 ok"), std::string::npos) << a.summary;
}

TEST(CaptureAnalyser, RetransmissionsThenDeliveredAndZeroWindow) {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2");
  c.handshake();
  uint32_t at = c.client_data(500);
  c.client_retransmit(at, 500);
  c.ack_from_server();
  auto r = only_flow(analyse_frames(f));
  EXPECT_EQ(r.verdict.kind, "retransmits") << r.verdict.verdict;
  EXPECT_EQ(r.out.retransmits, 1u);
  EXPECT_EQ(r.out.acked_segments, 1u);

  std::vector<Frame> g;
  TcpConv z(g, "10.0.0.1", "10.0.0.2");
  z.handshake();
  z.client_data(500);
  z.ack_from_server(z.client_seq(), 0);
  auto zr = only_flow(analyse_frames(g));
  EXPECT_EQ(zr.verdict.kind, "zero_window") << zr.verdict.verdict;
  EXPECT_EQ(zr.back.zero_windows, 1u);
}

TEST(CaptureAnalyser, SackedSegmentsCountAsDelivered) {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2");
  c.handshake();
  uint32_t base = c.client_seq();
  c.client_data(100);
  uint32_t second = c.client_data(100);
  c.sack_from_server(base, second, second + 100);
  c.client_retransmit(base, 100);
  c.ack_from_server();
  auto r = only_flow(analyse_frames(f));
  EXPECT_EQ(r.out.acked_segments, 2u);
  EXPECT_EQ(r.out.unacked_segments, 0u);
}

TEST(CaptureAnalyser, SequenceNumbersWrapAround) {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2", 40000, 80, 0xffffff00u, 0xfffffff0u);
  c.handshake();
  for (int i = 0; i < 4; ++i) c.client_data(100);  // crosses 2^32
  c.ack_from_server();
  for (int i = 0; i < 4; ++i) c.server_data(100);
  c.ack_from_client();
  auto r = only_flow(analyse_frames(f));
  EXPECT_EQ(r.verdict.kind, "ok") << r.verdict.verdict;
  EXPECT_EQ(r.out.acked_segments, 4u);
  EXPECT_EQ(r.back.acked_segments, 4u);
  EXPECT_EQ(r.out.retransmits, 0u);
}

TEST(CaptureAnalyser, UdpAnsweredByPortUnreachable) {
  std::vector<Frame> f;
  uint64_t t = 1'000'000'000;
  for (int i = 0; i < 3; ++i) {
    Bytes d = make_udp("10.0.0.1", "10.0.0.2", 5353, 9999, 30);
    f.push_back({t += 1000, d});
    f.push_back({t += 1000, make_icmp_error("10.0.0.2", "10.0.0.1", 3, 3, 0, d)});
  }
  auto r = only_flow(analyse_frames(f));
  EXPECT_EQ(r.verdict.kind, "udp_port_unreachable") << r.verdict.verdict;
  EXPECT_EQ(r.datagrams_out, 3u);
  EXPECT_EQ(r.icmp.port_unreachable, 3u);
  EXPECT_EQ(r.icmp.reporter, "10.0.0.2");
  EXPECT_EQ(r.server, "10.0.0.2:9999");
}

TEST(CaptureAnalyser, FragNeededIsTiedToItsTcpFlow) {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2");
  c.handshake();
  uint32_t at = c.client_data(1400);
  TcpSpec big{"10.0.0.1", "10.0.0.2", 40000, 80, at, 0, tcpflag::kAck, 100, 1400, 0, {}};
  f.push_back({c.clock() += 1'000'000,
               make_icmp_error("10.0.0.254", "10.0.0.1", 3, 4, 1400, make_tcp(big))});
  c.client_data(1000);
  c.ack_from_server();
  auto r = only_flow(analyse_frames(f));
  EXPECT_TRUE(r.verdict.frag_needed_seen);
  EXPECT_EQ(r.icmp.frag_needed_mtu, 1400u);
  EXPECT_EQ(r.icmp.reporter, "10.0.0.254");
}

TEST(CaptureAnalyser, Ipv6PacketTooBigAndEcho) {
  std::vector<Frame> f;
  TcpConv c(f, "2001:db8::1", "2001:db8::2");
  c.handshake();
  uint32_t at = c.client_data(1400);
  for (int i = 0; i < 2; ++i) c.client_retransmit(at, 1400);
  TcpSpec big{"2001:db8::1", "2001:db8::2", 40000, 80, at, 0, tcpflag::kAck, 100, 1400, 0, {}};
  f.push_back({c.clock() += 1'000'000,
               make_icmp_error("2001:db8::fe", "2001:db8::1", 2, 0, 1280, make_tcp(big))});
  f.push_back({c.clock() += 1'000'000, make_icmp_echo("2001:db8::1", "2001:db8::9", false, 7, 1)});
  auto a = analyse_frames(f, kLinkLinuxSll2);
  ASSERT_EQ(a.flows.size(), 2u);
  EXPECT_EQ(a.flows[0].verdict.kind, "size_dependent_loss") << a.flows[0].verdict.verdict;
  EXPECT_TRUE(a.flows[0].verdict.frag_needed_seen);
  EXPECT_EQ(a.flows[0].icmp.frag_needed_mtu, 1280u);
  EXPECT_EQ(a.flows[1].verdict.kind, "echo_unanswered");
}

TEST(CaptureAnalyser, SummaryAcrossTwentyBlackHoledFlows) {
  std::vector<Frame> f;
  for (uint16_t i = 0; i < 20; ++i) {
    TcpConv c(f, "10.77.0.1", "10.77.0.2", static_cast<uint16_t>(41000 + i));
    c.handshake(256);
    uint32_t at = c.client_data(80);
    for (int k = 0; k < 3; ++k) c.client_retransmit(at, 80);
  }
  auto a = analyse_frames(f);
  EXPECT_EQ(a.flows.size(), 20u);
  EXPECT_EQ(a.summary_kind, "size_dependent_loss");
  EXPECT_NE(a.summary.find("handshake 20/20 ok"), std::string::npos) << a.summary;
  EXPECT_NE(a.summary.find("0/20 data segments above 44 bytes acknowledged"), std::string::npos)
      << a.summary;
  EXPECT_NE(a.summary.find("no ICMP frag-needed: size-dependent loss (20/20 flows)"),
            std::string::npos)
      << a.summary;
}

TEST(CaptureAnalyser, FlowLimitCountsUntrackedPackets) {
  AnalyserConfig cfg;
  cfg.max_flows = 2;
  FlowAnalyser an(cfg);
  for (uint16_t i = 0; i < 5; ++i) {
    Bytes b = make_udp("10.0.0.1", "10.0.0.2", static_cast<uint16_t>(1000 + i), 53, 10);
    an.add_frame(kLinkRaw, i, b.data(), static_cast<uint32_t>(b.size()),
                 static_cast<uint32_t>(b.size()));
  }
  auto a = an.finish();
  EXPECT_EQ(a.flows.size(), 2u);
  EXPECT_EQ(a.stats.untracked, 3u);
  ASSERT_FALSE(a.notes.empty());
}
