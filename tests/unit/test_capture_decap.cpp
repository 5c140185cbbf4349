// Tunnels an operator meets (VXLAN, Geneve, GRE, GRETAP, IP-in-IP, QinQ, MPLS) are stripped and
// the inner flow analysed, saying which tunnel carried it; NFLOG and PPP link types decode.
#include <gtest/gtest.h>

#include <cstring>

#include "test_capture_util.h"

using namespace pktloss::capture;
using namespace pktloss::capture::testutil;

namespace {

// a then b (memcpy: GCC 12's -Warray-bounds misfires on vector range inserts here).
Bytes cat(const Bytes& a, const Bytes& b) {
  Bytes out(a.size() + b.size());
  if (!a.empty()) std::memcpy(out.data(), a.data(), a.size());
  if (!b.empty()) std::memcpy(out.data() + a.size(), b.data(), b.size());
  return out;
}

Bytes inner_tcp() {
  TcpSpec t{"10.244.1.5", "10.244.2.7", 40000, 8080, 1000, 0, tcpflag::kSyn, 65535, 0, 1460, {}};
  return make_tcp(t);
}

Bytes vxlan(uint16_t port, uint32_t vni, const Bytes& frame) {
  Bytes h(8, 0);
  h[0] = 0x08;
  h[4] = static_cast<uint8_t>(vni >> 16);
  h[5] = static_cast<uint8_t>(vni >> 8);
  h[6] = static_cast<uint8_t>(vni);
  h = cat(h, frame);
  return make_udp_payload("192.168.0.1", "192.168.0.2", 51000, port, h);
}

ParsedPacket parse_eth(const Bytes& ip_or_frame, bool already_ethernet = false) {
  Bytes frame = already_ethernet ? ip_or_frame : wrap_link(kLinkEthernet, ip_or_frame);
  ParsedPacket p;
  parse_packet(kLinkEthernet, frame.data(), static_cast<uint32_t>(frame.size()),
               static_cast<uint32_t>(frame.size()), p);
  return p;
}

void expect_inner(const ParsedPacket& p, uint8_t tunnel) {
  EXPECT_EQ(p.skip, SkipReason::none) << to_string(p.skip);
  EXPECT_EQ(p.tunnel, tunnel) << tunnel_name(p.tunnel);
  EXPECT_EQ(p.t.proto, kProtoTcp);
  EXPECT_EQ(p.t.sport, 40000);
  EXPECT_EQ(p.t.dport, 8080);
  EXPECT_EQ(p.mss, 1460);
  EXPECT_EQ(format_endpoint(p.t.src, p.t.family, 0, false), "10.244.1.5");
}

}  // namespace

TEST(CaptureDecap, VxlanOnBothPorts) {
  for (uint16_t port : {uint16_t{4789}, uint16_t{8472}}) {
    auto p = parse_eth(vxlan(port, 42, make_ethernet(0x0800, inner_tcp())));
    expect_inner(p, kTunnelVxlan);
    EXPECT_EQ(p.tunnel_id, 42u);
    EXPECT_EQ(format_endpoint(p.outer.src, p.outer.family, 0, false), "192.168.0.1");
  }
}

TEST(CaptureDecap, GeneveWithOptions) {
  Bytes h = {0x02, 0x00, 0x65, 0x58, 0x00, 0x00, 0x07, 0x00};  // 2 option words, TEB, VNI 7
  h = cat(h, Bytes(8, 0));
  Bytes frame = make_ethernet(0x0800, inner_tcp());
  h = cat(h, frame);
  auto p = parse_eth(make_udp_payload("192.168.0.1", "192.168.0.2", 51000, 6081, h));
  expect_inner(p, kTunnelGeneve);
  EXPECT_EQ(p.tunnel_id, 7u);
}

TEST(CaptureDecap, GreGretapAndIpip) {
  Bytes gre = {0x20, 0x00, 0x08, 0x00, 0, 0, 0, 99};  // key present, IPv4
  Bytes in = inner_tcp();
  gre = cat(gre, in);
  auto p = parse_eth(make_ip("192.168.0.1", "192.168.0.2", 47, gre));
  expect_inner(p, kTunnelGre);
  EXPECT_EQ(p.tunnel_id, 99u);

  Bytes tap = {0x00, 0x00, 0x65, 0x58};
  Bytes frame = make_ethernet(0x0800, inner_tcp());
  tap = cat(tap, frame);
  expect_inner(parse_eth(make_ip("192.168.0.1", "192.168.0.2", 47, tap)), kTunnelGretap);

  expect_inner(parse_eth(make_ip("192.168.0.1", "192.168.0.2", 4, inner_tcp())), kTunnelIpip);
  // PPTP's enhanced GRE (version 1) is not decoded, and says so.
  Bytes pptp = {0x30, 0x01, 0x88, 0x0b, 0, 0, 0, 0};
  EXPECT_EQ(parse_eth(make_ip("192.168.0.1", "192.168.0.2", 47, pptp)).skip,
            SkipReason::other_proto);
}

TEST(CaptureDecap, QinQAndMplsStacks) {
  Bytes in = inner_tcp();
  Bytes tags = {0x00, 0x64, 0x81, 0x00, 0x00, 0xc8, 0x08, 0x00};  // S-tag 100, C-tag 200
  tags = cat(tags, in);
  auto q = parse_eth(make_ethernet(0x88a8, tags), true);
  EXPECT_EQ(q.skip, SkipReason::none);
  EXPECT_EQ(q.t.dport, 8080);

  Bytes mpls = {0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40};  // labels 16, 32 (bottom)
  mpls = cat(mpls, in);
  auto m = parse_eth(make_ethernet(0x8847, mpls), true);
  expect_inner(m, kTunnelMpls);
  EXPECT_EQ(m.tunnel_id, 16u);
}

TEST(CaptureDecap, NestingIsBounded) {
  Bytes p = inner_tcp();
  for (int i = 0; i < 6; ++i) p = make_ip("192.168.0.1", "192.168.0.2", 4, p);
  EXPECT_EQ(parse_eth(p).skip, SkipReason::bad_header);
}

TEST(CaptureDecap, InnerFlowsAreAnalysedAndNameTheirTunnel) {
  std::vector<Frame> inner;
  TcpConv c(inner, "10.244.1.5", "10.244.2.7", 40000, 8080);
  c.handshake();
  c.client_data(100);
  c.ack_from_server();
  std::vector<Frame> outer;
  for (const auto& f : inner) {
    Bytes tunnelled = vxlan(4789, 5, make_ethernet(0x0800, f.ip));
    outer.push_back({f.ts_ns, tunnelled});
  }
  auto a = analyse_frames(outer);
  ASSERT_EQ(a.flows.size(), 1u);
  EXPECT_EQ(a.flows[0].tunnel, "vxlan 192.168.0.1 -> 192.168.0.2 vni 5");
  EXPECT_EQ(a.flows[0].handshake, "completed");
  EXPECT_NE(a.flows[0].verdict.flow.find("(vxlan"), std::string::npos) << a.flows[0].verdict.flow;
  EXPECT_EQ(a.stats.tunnelled, inner.size());
}

TEST(CaptureDecap, NflogAndPppLinkTypes) {
  for (int lt : {kLinkNflog, kLinkPpp}) {
    EXPECT_TRUE(link_type_supported(lt));
    std::vector<Frame> f;
    TcpConv c(f, "10.0.0.1", "10.0.0.2");
    c.handshake();
    c.client_data(100);
    c.ack_from_server();
    auto a = analyse_frames(f, lt);
    ASSERT_EQ(a.flows.size(), 1u) << lt;
    EXPECT_EQ(a.flows[0].handshake, "completed") << lt;
    EXPECT_EQ(a.stats.skipped_total(), 0u) << lt;
  }
}

TEST(CaptureDecap, LaterFragmentsAreCountedOnTheirFlow) {
  Bytes first = make_udp("10.0.0.1", "10.0.0.2", 5000, 53, 1400);
  first[4] = 0x12, first[5] = 0x34;  // IP ID
  first[6] = 0x20, first[7] = 0x00;  // more fragments, offset 0
  Bytes second = first;
  second[6] = 0x00, second[7] = 0xb9;  // offset 1480 / 8, last fragment
  second.resize(20 + 200);
  second[2] = 0, second[3] = 220;
  FlowAnalyser a;
  a.add_frame(kLinkRaw, 1000, first.data(), static_cast<uint32_t>(first.size()),
              static_cast<uint32_t>(first.size()));
  a.add_frame(kLinkRaw, 2000, second.data(), static_cast<uint32_t>(second.size()),
              static_cast<uint32_t>(second.size()));
  auto r = a.finish();
  ASSERT_EQ(r.flows.size(), 1u);
  EXPECT_EQ(r.flows[0].fragments, 2u);
  EXPECT_NE(r.flows[0].verdict.verdict.find("2 IP fragments"), std::string::npos)
      << r.flows[0].verdict.verdict;
}

TEST(CaptureDecap, LaterIpv6FragmentsAreCountedOnTheirFlow) {
  Bytes udp = {0x13, 0x88, 0x00, 0x35, 0x05, 0xc8, 0, 0};  // 5000 -> 53, length 1480
  Bytes first = cat({17, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef}, cat(udp, Bytes(1200, 0)));
  Bytes later = cat({17, 0, 0x05, 0x00, 0xde, 0xad, 0xbe, 0xef}, Bytes(272, 0));  // offset 160
  FlowAnalyser a;
  for (const Bytes& frag : {first, later}) {
    Bytes p = make_ip("2001:db8::1", "2001:db8::2", 44, frag);
    a.add_frame(kLinkRaw, 1000, p.data(), static_cast<uint32_t>(p.size()),
                static_cast<uint32_t>(p.size()));
  }
  auto r = a.finish();
  ASSERT_EQ(r.flows.size(), 1u);
  EXPECT_EQ(r.flows[0].fragments, 2u);
  EXPECT_EQ(r.flows[0].server, "[2001:db8::2]:53");
}
