#pragma once
// Reads saved captures without libpcap's limits: classic pcap (either byte order, micro- or
// nanosecond) and pcapng read block by block, so a pcapng file whose interfaces differ in link
// type or snaplen is read in full (libpcap refuses those). gzip (.gz) and zstd (.zst) files are
// decompressed on the fly; other compressions get a clear hint. Bytes are untrusted: every
// length is checked, damage ends the read with a message.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pktloss::capture {

// One interface of the capture (pcap: the only one).
struct CaptureInterface {
  int linktype = 0;
  uint32_t snaplen = 0;
  uint64_t packets = 0;
};

struct CaptureFileInfo {
  std::string format;       // "pcap" or "pcapng"
  std::string compression;  // "", "gzip", "zstd"
  std::vector<CaptureInterface> interfaces;
  uint64_t packets = 0;
  std::string error;  // damage after the start: the read stopped there
};

// Called for each packet: the interface's link type, time in ns, bytes.
using PacketSink = std::function<void(int linktype, uint64_t ts_ns, const uint8_t* data,
                                      uint32_t caplen, uint32_t wirelen)>;

// Throws std::runtime_error ("cannot read capture PATH: why") when the file cannot be opened or
// is not a capture at all; later damage is reported in info.error.
CaptureFileInfo read_capture(const std::string& path, const PacketSink& sink);

// The same from bytes in memory (the fuzzer's entry point).
CaptureFileInfo read_capture_memory(const uint8_t* data, size_t size, const PacketSink& sink);

}  // namespace pktloss::capture
