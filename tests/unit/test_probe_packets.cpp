// Parsers of packets read from raw sockets (untrusted bytes): SYN answers and ICMP replies /
// errors. Well-formed answers are recognised; everything else, truncated or random, is ignored.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "probe/pinger.h"
#include "probe/syn_answer.h"

using namespace pktloss;

namespace {

in_addr ip(const char* s) {
  in_addr a{};
  inet_pton(AF_INET, s, &a);
  return a;
}

std::vector<uint8_t> ipv4(uint8_t proto, const char* src, const char* dst, size_t payload) {
  std::vector<uint8_t> p(20 + payload, 0);
  p[0] = 0x45;
  p[9] = proto;
  in_addr s = ip(src), d = ip(dst);
  std::memcpy(&p[12], &s, 4);
  std::memcpy(&p[16], &d, 4);
  return p;
}

std::vector<uint8_t> tcp_answer(uint16_t sport, uint16_t dport, uint32_t ack, uint8_t flags) {
  auto p = ipv4(6, "10.77.0.2", "10.77.0.1", 20);
  uint8_t* t = &p[20];
  t[0] = sport >> 8, t[1] = sport & 0xff, t[2] = dport >> 8, t[3] = dport & 0xff;
  t[8] = ack >> 24, t[9] = (ack >> 16) & 0xff, t[10] = (ack >> 8) & 0xff, t[11] = ack & 0xff;
  t[12] = 5 << 4;
  t[13] = flags;
  return p;
}

}  // namespace

TEST(ProbePackets, SynAckAndRstAreAnswers) {
  auto synack = tcp_answer(80, 20001, 1235, 0x12);
  auto a = parse_syn_answer(synack.data(), synack.size(), ip("10.77.0.2"), 80);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->synack);
  EXPECT_EQ(a->dport, 20001);
  EXPECT_EQ(a->ack, 1235u);
  auto rst = tcp_answer(80, 20001, 1235, 0x14);
  auto b = parse_syn_answer(rst.data(), rst.size(), ip("10.77.0.2"), 80);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->rst);
}

TEST(ProbePackets, OtherSegmentsAreIgnored) {
  auto other_port = tcp_answer(81, 20001, 1, 0x12);
  EXPECT_FALSE(parse_syn_answer(other_port.data(), other_port.size(), ip("10.77.0.2"), 80));
  auto plain_ack = tcp_answer(80, 20001, 1, 0x10);
  EXPECT_FALSE(parse_syn_answer(plain_ack.data(), plain_ack.size(), ip("10.77.0.2"), 80));
  auto synack = tcp_answer(80, 20001, 1, 0x12);
  EXPECT_FALSE(parse_syn_answer(synack.data(), synack.size(), ip("10.77.0.3"), 80));
  for (size_t n = 0; n < synack.size(); ++n)  // every truncation
    EXPECT_FALSE(parse_syn_answer(synack.data(), n, ip("10.77.0.2"), 80)) << n;
  synack[0] = 0x4f;  // IHL says 60 bytes of IP header: longer than the packet
  EXPECT_FALSE(parse_syn_answer(synack.data(), synack.size(), ip("10.77.0.2"), 80));
}

TEST(ProbePackets, EchoReplyAndFragNeeded) {
  auto reply = ipv4(1, "10.77.0.2", "10.77.0.1", 8);
  reply[20] = 0;                       // echo reply
  reply[24] = 0x12, reply[25] = 0x34;  // id
  reply[26] = 0, reply[27] = 7;        // seq
  probe::PingEvent ev;
  ASSERT_TRUE(probe::parse_icmp_packet(reply.data(), reply.size(), ip("10.77.0.2"), 0x1234, ev));
  EXPECT_EQ(ev.type, probe::PingEvent::reply);
  EXPECT_EQ(ev.seq, 7);
  EXPECT_FALSE(probe::parse_icmp_packet(reply.data(), reply.size(), ip("10.77.0.2"), 0x1235, ev));

  // A router's frag-needed (mtu 1000) quoting our echo to 10.88.0.2.
  auto err = ipv4(1, "10.77.0.2", "10.77.0.1", 8 + 20 + 8);
  err[20] = 3, err[21] = 4, err[26] = 1000 >> 8, err[27] = 1000 & 0xff;
  auto inner = ipv4(1, "10.77.0.1", "10.88.0.2", 8);
  inner[20] = 8, inner[24] = 0x12, inner[25] = 0x34, inner[27] = 9;
  std::copy(inner.begin(), inner.end(), err.begin() + 28);
  ASSERT_TRUE(probe::parse_icmp_packet(err.data(), err.size(), ip("10.88.0.2"), 0x1234, ev));
  EXPECT_EQ(ev.type, probe::PingEvent::frag_needed);
  EXPECT_EQ(ev.mtu, 1000u);
  EXPECT_EQ(ev.seq, 9);
  for (size_t n = 0; n < err.size(); ++n)
    EXPECT_FALSE(probe::parse_icmp_packet(err.data(), n, ip("10.88.0.2"), 0x1234, ev)) << n;
}

TEST(ProbePackets, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  std::vector<uint8_t> buf(128);
  probe::PingEvent ev;
  for (int i = 0; i < 20000; ++i) {
    size_t n = rng() % buf.size();
    for (auto& b : buf) b = static_cast<uint8_t>(rng());
    if (i % 2) buf[0] = static_cast<uint8_t>(0x40 | (buf[0] & 0x0f));  // often looks like IPv4
    parse_syn_answer(buf.data(), n, ip("10.77.0.2"), 80);
    probe::parse_icmp_packet(buf.data(), n, ip("10.77.0.2"), 1, ev);
  }
  SUCCEED();
}
