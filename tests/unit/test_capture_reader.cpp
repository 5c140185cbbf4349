// The capture file reader: pcapng with interfaces of different link types and snaplens (which
// libpcap refuses) read in full, gzip and zstd files decompressed, other compressions and
// unsupported link types a clear error, never "no IP traffic".
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

#include "capture/capture_reader.h"
#include "test_capture_util.h"

using namespace pktloss::capture;
using namespace pktloss::capture::testutil;

namespace {

// memcpy, not a vector range insert: GCC 12's -Warray-bounds misfires on those.
void append(Bytes& out, const Bytes& b) {
  size_t at = out.size();
  out.resize(at + b.size());
  if (!b.empty()) std::memcpy(out.data() + at, b.data(), b.size());
}

void put32le(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put16le(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
void block(Bytes& out, uint32_t type, const Bytes& body) {
  Bytes padded = body;
  while (padded.size() % 4) padded.push_back(0);
  uint32_t total = static_cast<uint32_t>(12 + padded.size());
  put32le(out, type);
  put32le(out, total);
  append(out, padded);
  put32le(out, total);
}
void shb(Bytes& out) {
  Bytes b;
  put32le(b, 0x1a2b3c4d);
  put16le(b, 1);
  put16le(b, 0);
  for (int i = 0; i < 8; ++i) b.push_back(0xff);  // section length unknown
  block(out, 0x0a0d0d0a, b);
}
void idb(Bytes& out, uint16_t linktype, uint32_t snaplen, int tsresol = -1) {
  Bytes b;
  put16le(b, linktype);
  put16le(b, 0);
  put32le(b, snaplen);
  if (tsresol >= 0) {
    put16le(b, 9);
    put16le(b, 1);
    append(b, Bytes{static_cast<uint8_t>(tsresol), 0, 0, 0});
    put32le(b, 0);  // opt_endofopt
  }
  block(out, 1, b);
}
void epb(Bytes& out, uint32_t iface, uint64_t ts, const Bytes& pkt) {
  Bytes b;
  put32le(b, iface);
  put32le(b, static_cast<uint32_t>(ts >> 32));
  put32le(b, static_cast<uint32_t>(ts));
  put32le(b, static_cast<uint32_t>(pkt.size()));
  put32le(b, static_cast<uint32_t>(pkt.size()));
  append(b, pkt);
  block(out, 6, b);
}

// A conversation split over two interfaces: Ethernet (snaplen 256) and raw IP (snaplen 65535,
// nanosecond timestamps).
Bytes two_interface_pcapng() {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2");
  c.handshake();
  c.client_data(100);
  c.ack_from_server();
  Bytes out;
  shb(out);
  idb(out, kLinkEthernet, 256);
  idb(out, kLinkRawFile, 65535, 9);
  for (size_t i = 0; i < f.size(); ++i) {
    if (i % 2 == 0)
      epb(out, 0, f[i].ts_ns / 1000, wrap_link(kLinkEthernet, f[i].ip));
    else
      epb(out, 1, f[i].ts_ns, f[i].ip);
  }
  return out;
}

std::string write_file(const std::string& name, const Bytes& b) {
  std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  return path;
}

CaptureAnalysis analyse_file(const std::string& path, FileReadResult* out = nullptr) {
  FlowAnalyser a;
  FileReadResult r = read_capture_file(path, a);
  if (out) *out = r;
  return a.finish();
}

}  // namespace

TEST(CaptureReader, PcapngWithMixedInterfacesIsReadInFull) {
  std::string path = write_file("mixed.pcapng", two_interface_pcapng());
  FileReadResult r;
  auto a = analyse_file(path, &r);
  unlink(path.c_str());
  EXPECT_EQ(r.packets, 5u);
  EXPECT_EQ(r.format, "pcapng");
  ASSERT_EQ(a.flows.size(), 1u);
  EXPECT_EQ(a.flows[0].handshake, "completed");
  EXPECT_EQ(a.flows[0].verdict.kind, "ok") << a.flows[0].verdict.verdict;
  EXPECT_EQ(a.stats.skipped_total(), 0u);
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes[0].find("2 interfaces"), std::string::npos) << r.notes[0];
  // Both timestamp resolutions land on the same clock: the flow lasts milliseconds.
  EXPECT_LT(a.duration_s, 1.0);
}

TEST(CaptureReader, GzipAndZstdAreReadLikeThePlainFile) {
  Bytes plain = two_interface_pcapng();
  std::string gz = temp_path("c.pcapng.gz");
  gzFile g = gzopen(gz.c_str(), "wb");
  ASSERT_NE(g, nullptr);
  gzwrite(g, plain.data(), static_cast<unsigned>(plain.size()));
  gzclose(g);
  Bytes z(ZSTD_compressBound(plain.size()));
  z.resize(ZSTD_compress(z.data(), z.size(), plain.data(), plain.size(), 3));
  std::string zst = write_file("c.pcapng.zst", z);
  for (const auto& path : {gz, zst}) {
    FileReadResult r;
    auto a = analyse_file(path, &r);
    unlink(path.c_str());
    EXPECT_EQ(r.packets, 5u) << path;
    ASSERT_EQ(a.flows.size(), 1u) << path;
    EXPECT_EQ(a.flows[0].handshake, "completed");
  }
}

TEST(CaptureReader, ClassicPcapBothByteOrdersAndNanoseconds) {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2");
  c.handshake();
  std::string path = temp_path("p.pcap");
  write_frames(path, f);  // libpcap writer, nanosecond magic
  FileReadResult r;
  auto a = analyse_file(path, &r);
  unlink(path.c_str());
  EXPECT_EQ(r.format, "pcap");
  EXPECT_EQ(r.packets, 3u);
  ASSERT_EQ(a.flows.size(), 1u);
  EXPECT_NEAR(a.duration_s, 0.002, 1e-6);
}

TEST(CaptureReader, ClearErrorsNeverAnEmptyVerdict) {
  auto fails = [](const Bytes& b, const std::string& name, const std::string& why) {
    std::string path = write_file(name, b);
    try {
      analyse_file(path);
      ADD_FAILURE() << name << " was accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
    unlink(path.c_str());
  };
  fails({0xfd, '7', 'z', 'X', 'Z', 0}, "x.xz", "xz -dk");
  fails({'g', 'a', 'r', 'b', 'a', 'g', 'e'}, "g.pcap", "cannot read capture");
  fails({}, "empty.pcap", "empty file");
  Bytes ng;
  shb(ng);
  idb(ng, 147, 65535);  // LINKTYPE_USER0
  epb(ng, 0, 1, Bytes(40, 0));
  fails(ng, "user0.pcapng", "unsupported link type");
  // Damage after the first packet: what came before is analysed, the damage is reported.
  Bytes cut = two_interface_pcapng();
  cut.resize(cut.size() - 7);
  std::string path = write_file("cut.pcapng", cut);
  FileReadResult r;
  analyse_file(path, &r);
  unlink(path.c_str());
  EXPECT_EQ(r.packets, 4u);
  EXPECT_FALSE(r.error.empty());
}
