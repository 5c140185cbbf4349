// Saved captures: pcap and pcapng, and damaged files that must give a clear error or a counted
// skip, never a crash.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "test_capture_util.h"

using namespace pktloss::capture;
using namespace pktloss::capture::testutil;

namespace {

std::vector<Frame> small_conversation() {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2");
  c.handshake();
  c.client_data(100);
  c.ack_from_server();
  return f;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Minimal little-endian pcapng: section header, one interface, enhanced packet blocks.
std::string pcapng_of(const std::vector<Frame>& frames, uint16_t linktype) {
  std::string out;
  auto u32 = [&out](uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&out](uint16_t v) { out.append(reinterpret_cast<const char*>(&v), 2); };
  u32(0x0A0D0D0A), u32(28), u32(0x1A2B3C4D), u16(1), u16(0), u32(0xffffffff), u32(0xffffffff),
      u32(28);
  u32(1), u32(20), u16(linktype), u16(0), u32(0), u32(20);
  for (const auto& f : frames) {
    Bytes l = wrap_link(linktype, f.ip);
    uint32_t padded = static_cast<uint32_t>((l.size() + 3) & ~size_t{3});
    uint32_t total = 32 + padded;
    uint64_t us = f.ts_ns / 1000;
    u32(6), u32(total), u32(0), u32(static_cast<uint32_t>(us >> 32)),
        u32(static_cast<uint32_t>(us)), u32(static_cast<uint32_t>(l.size())),
        u32(static_cast<uint32_t>(l.size()));
    out.append(reinterpret_cast<const char*>(l.data()), l.size());
    out.append(padded - l.size(), '\0');
    u32(total);
  }
  return out;
}

}  // namespace

TEST(PcapFiles, ReadsPcapWrittenByLibpcap) {
  std::string path = temp_path("ok.pcap");
  write_frames(path, small_conversation(), kLinkLinuxSll);
  FlowAnalyser a;
  auto r = read_capture_file(path, a);
  unlink(path.c_str());
  EXPECT_EQ(r.linktype, kLinkLinuxSll);
  EXPECT_EQ(r.packets, 5u);
  EXPECT_TRUE(r.error.empty());
  auto res = a.finish();
  ASSERT_EQ(res.flows.size(), 1u);
  EXPECT_TRUE(res.flows[0].handshake_done);
}

TEST(PcapFiles, ReadsPcapng) {
  std::string path = temp_path("ok.pcapng");
  spit(path, pcapng_of(small_conversation(), kLinkEthernet));
  FlowAnalyser a;
  auto r = read_capture_file(path, a);
  unlink(path.c_str());
  EXPECT_EQ(r.packets, 5u);
  auto res = a.finish();
  ASSERT_EQ(res.flows.size(), 1u);
  EXPECT_EQ(res.flows[0].out.acked_segments, 1u);
}

TEST(PcapFiles, TruncatedFileKeepsWhatWasReadAndSaysSo) {
  std::string path = temp_path("trunc.pcap");
  write_frames(path, small_conversation());
  std::string bytes = slurp(path);
  spit(path, bytes.substr(0, bytes.size() - 30));  // cut inside the last packet
  FlowAnalyser a;
  auto r = read_capture_file(path, a);
  unlink(path.c_str());
  EXPECT_EQ(r.packets, 4u);
  EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
}

TEST(PcapFiles, BadMagicIsAClearError) {
  std::string path = temp_path("bad.pcap");
  spit(path, "this is not a capture file at all, just text\n");
  FlowAnalyser a;
  try {
    read_capture_file(path, a);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read capture"), std::string::npos) << e.what();
  }
  unlink(path.c_str());
  EXPECT_THROW(read_capture_file(temp_path("missing.pcap"), a), std::runtime_error);
}

TEST(PcapFiles, UnknownLinkTypeIsAClearError) {
  std::string path = temp_path("wifi.pcap");
  { PcapWriter w(path, 105); }  // IEEE 802.11
  FlowAnalyser a;
  try {
    read_capture_file(path, a);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported link type IEEE802_11"), std::string::npos)
        << e.what();
  }
  unlink(path.c_str());
}

TEST(PcapFiles, SnaplenTruncatedAndBogusPacketsAreCounted) {
  std::vector<Frame> f = small_conversation();
  Bytes bogus = f[0].ip;
  bogus[0] = 0x41;  // IHL 1
  f.push_back({f.back().ts_ns + 1, bogus});
  f.push_back({f.back().ts_ns + 1, Bytes{0x45, 0x00}});
  std::string path = temp_path("snap.pcap");
  write_frames(path, f, kLinkEthernet, 54);  // Ethernet + IPv4 + TCP without options
  FlowAnalyser a;
  auto r = read_capture_file(path, a);
  unlink(path.c_str());
  EXPECT_EQ(r.packets, 7u);
  auto res = a.finish();
  EXPECT_EQ(res.stats.skipped[static_cast<int>(SkipReason::bad_header)], 1u);
  EXPECT_EQ(res.stats.skipped[static_cast<int>(SkipReason::truncated)], 1u);
  ASSERT_EQ(res.flows.size(), 1u);
  EXPECT_EQ(res.flows[0].out.acked_segments, 1u);  // sizes come from headers, not caplen
  ASSERT_FALSE(res.notes.empty());
  EXPECT_NE(res.notes[0].find("2 of 7 packets not analysed"), std::string::npos) << res.notes[0];
}

TEST(PcapFiles, CapturedPacketsRoundTrip) {
  CapturedPackets pk;
  pk.linktype = kLinkRaw;
  for (const auto& fr : small_conversation())
    pk.append(fr.ts_ns, fr.ip.data(), static_cast<uint32_t>(fr.ip.size()),
              static_cast<uint32_t>(fr.ip.size()));
  auto direct = analyse_packets(pk);
  std::string path = temp_path("rt.pcap");
  write_pcap(pk, path);
  FlowAnalyser a;
  auto r = read_capture_file(path, a);
  unlink(path.c_str());
  EXPECT_EQ(r.packets, 5u);
  EXPECT_EQ(a.finish().summary, direct.summary);
}
