// The packet parser: every link type and IP version we claim, and damaged input that must be
// skipped with a reason instead of crashing.
#include <gtest/gtest.h>

#include "capture/packet_builder.h"
#include "capture/packet_parser.h"

using namespace pktloss::capture;

namespace {

Bytes syn_v4() {
  TcpSpec t{"10.0.0.1", "10.0.0.2", 40000, 80, 100, 0, tcpflag::kSyn, 64240, 0, 1460, {}};
  return make_tcp(t);
}
Bytes data_v6(uint32_t payload) {
  TcpSpec t{"2001:db8::1", "2001:db8::2", 40000, 443, 7, 9, tcpflag::kAck, 0, payload, 0, {}};
  return make_tcp(t);
}

bool parse(int link, const Bytes& b, ParsedPacket& p, uint32_t caplen = UINT32_MAX) {
  uint32_t cl = std::min<uint32_t>(caplen, static_cast<uint32_t>(b.size()));
  return parse_packet(link, b.data(), cl, static_cast<uint32_t>(b.size()), p);
}

}  // namespace

TEST(CaptureParser, DecodesTcpOverEveryLinkType) {
  for (int link : {kLinkEthernet, kLinkLinuxSll, kLinkLinuxSll2, kLinkRaw, kLinkRawFile, kLinkNull,
                   kLinkLoop, kLinkIpv4}) {
    ParsedPacket p;
    ASSERT_TRUE(parse(link, wrap_link(link, syn_v4()), p)) << link << " " << to_string(p.skip);
    EXPECT_EQ(p.t.family, 4);
    EXPECT_EQ(p.t.proto, kProtoTcp);
    EXPECT_EQ(p.t.sport, 40000);
    EXPECT_EQ(p.t.dport, 80);
    EXPECT_EQ(p.tcp_flags, tcpflag::kSyn);
    EXPECT_EQ(p.mss, 1460);
    EXPECT_EQ(p.ip_len, 44u);
    EXPECT_EQ(format_endpoint(p.t.src, 4, p.t.sport), "10.0.0.1:40000");
  }
}

TEST(CaptureParser, DecodesIpv6AndVlanTags) {
  ParsedPacket p;
  ASSERT_TRUE(parse(kLinkEthernet, wrap_link(kLinkEthernet, data_v6(100), 42), p));
  EXPECT_EQ(p.t.family, 6);
  EXPECT_EQ(p.t.dport, 443);
  EXPECT_EQ(p.payload_len, 100u);
  EXPECT_EQ(p.ip_len, 160u);
  EXPECT_EQ(p.window, 0);
  EXPECT_EQ(format_endpoint(p.t.dst, 6, p.t.dport), "[2001:db8::2]:443");
  ASSERT_TRUE(parse(kLinkNull, wrap_link(kLinkNull, data_v6(0)), p));
  ASSERT_TRUE(parse(kLinkIpv6, data_v6(0), p));
}

TEST(CaptureParser, SnaplenTruncatedPacketKeepsWireSizes) {
  ParsedPacket p;
  Bytes f = wrap_link(kLinkEthernet, data_v6(1400));
  ASSERT_TRUE(parse(kLinkEthernet, f, p, 96));  // headers fit, payload cut by snaplen
  EXPECT_EQ(p.payload_len, 1400u);
  EXPECT_EQ(p.ip_len, 1460u);
  EXPECT_FALSE(parse(kLinkEthernet, f, p, 30));  // cut inside the IPv6 header
  EXPECT_EQ(p.skip, SkipReason::truncated);
}

TEST(CaptureParser, BogusHeaderLengthsAreSkippedWithAReason) {
  ParsedPacket p;
  Bytes ip = syn_v4();
  Bytes bad_ihl = ip;
  bad_ihl[0] = 0x43;  // IHL 3 words
  EXPECT_FALSE(parse(kLinkRaw, bad_ihl, p));
  EXPECT_EQ(p.skip, SkipReason::bad_header);
  Bytes long_total = ip;
  long_total[2] = 0x40;  // total length 16 KB in a 44-byte frame
  EXPECT_FALSE(parse(kLinkRaw, long_total, p));
  EXPECT_EQ(p.skip, SkipReason::bad_header);
  Bytes bad_doff = ip;
  bad_doff[20 + 12] = 0x20;  // data offset 2 words
  EXPECT_FALSE(parse(kLinkRaw, bad_doff, p));
  EXPECT_EQ(p.skip, SkipReason::bad_header);
  Bytes bad_version = ip;
  bad_version[0] = 0x55;
  EXPECT_FALSE(parse(kLinkEthernet, wrap_link(kLinkEthernet, bad_version), p));
  EXPECT_EQ(p.skip, SkipReason::bad_header);
}

TEST(CaptureParser, UnknownLinkTypeNonIpAndFragments) {
  ParsedPacket p;
  EXPECT_FALSE(parse(105, syn_v4(), p));
  EXPECT_EQ(p.skip, SkipReason::unsupported_link);
  EXPECT_FALSE(link_type_supported(105));
  Bytes arp = wrap_link(kLinkEthernet, syn_v4());
  arp[12] = 0x08, arp[13] = 0x06;
  EXPECT_FALSE(parse(kLinkEthernet, arp, p));
  EXPECT_EQ(p.skip, SkipReason::not_ip);
  Bytes frag = syn_v4();
  frag[6] = 0x00, frag[7] = 0x10;  // offset 128 bytes
  EXPECT_FALSE(parse(kLinkRaw, frag, p));
  EXPECT_EQ(p.skip, SkipReason::fragment);
  EXPECT_FALSE(parse(kLinkEthernet, Bytes{}, p));
  EXPECT_EQ(p.skip, SkipReason::truncated);
  EXPECT_FALSE(parse_packet(kLinkEthernet, nullptr, 0, 0, p));
}

TEST(CaptureParser, IcmpFragNeededCarriesMtuAndTheQuotedFlow) {
  TcpSpec big{"10.0.0.1", "10.0.0.2", 40000, 80, 1, 1, tcpflag::kAck, 100, 1400, 0, {}};
  Bytes err = make_icmp_error("10.0.0.254", "10.0.0.1", 3, 4, 1280, make_tcp(big));
  ParsedPacket p;
  ASSERT_TRUE(parse(kLinkRaw, err, p));
  EXPECT_TRUE(p.icmp_error);
  EXPECT_EQ(p.icmp_mtu, 1280u);
  ASSERT_TRUE(p.has_inner);
  EXPECT_EQ(p.inner.proto, kProtoTcp);
  EXPECT_EQ(p.inner.sport, 40000);
  EXPECT_EQ(p.inner.dport, 80);

  Bytes v6 = make_icmp_error("2001:db8::fe", "2001:db8::1", 2, 0, 1400, data_v6(1400));
  ASSERT_TRUE(parse(kLinkRaw, v6, p));
  EXPECT_EQ(p.icmp_mtu, 1400u);
  ASSERT_TRUE(p.has_inner);
  EXPECT_EQ(p.inner.dport, 443);
}

TEST(CaptureParser, SackBlocksAreRead) {
  TcpSpec t{"10.0.0.2",
            "10.0.0.1",
            80,
            40000,
            1,
            100,
            tcpflag::kAck,
            100,
            0,
            0,
            {{200, 300}, {400, 500}}};
  ParsedPacket p;
  ASSERT_TRUE(parse(kLinkRaw, make_tcp(t), p));
  ASSERT_EQ(p.sack_blocks, 2);
  EXPECT_EQ(p.sack[1][0], 400u);
  EXPECT_EQ(p.sack[1][1], 500u);
}

TEST(CaptureParser, EveryPrefixOfEveryFrameIsSafe) {
  // Cheap in-test fuzzing: truncate and corrupt real frames byte by byte.
  std::vector<Bytes> frames = {wrap_link(kLinkEthernet, syn_v4(), 7),
                               wrap_link(kLinkLinuxSll2, data_v6(20)),
                               make_icmp_error("10.0.0.254", "10.0.0.1", 3, 4, 1280, syn_v4())};
  ParsedPacket p;
  for (const auto& f : frames)
    for (uint32_t cut = 0; cut <= f.size(); ++cut)
      for (size_t flip = 0; flip < f.size(); ++flip) {
        Bytes g = f;
        g[flip] ^= 0xff;
        parse_packet(kLinkEthernet, g.data(), cut, static_cast<uint32_t>(f.size()), p);
        parse_packet(kLinkRaw, g.data(), cut, cut, p);
      }
  SUCCEED();
}
