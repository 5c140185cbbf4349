#pragma once
// pcap files in and out through libpcap: streaming a saved capture (pcap or pcapng, any byte
// order, micro- or nanosecond) through the analyser, and writing packets as a pcap file.
#include <cstdint>
#include <string>
#include <vector>

#include "capture/flow_analyser.h"

typedef struct pcap pcap_t;
typedef struct pcap_dumper pcap_dumper_t;

namespace pktloss::capture {

// Packets held in memory (a live capture): one flat byte arena plus fixed-size records.
struct PacketRecord {
  uint64_t ts_ns = 0;
  uint32_t caplen = 0, wirelen = 0;
  uint64_t offset = 0;  // into CapturedPackets::bytes
};

struct CapturedPackets {
  int linktype = kLinkEthernet;
  int snaplen = 262144;
  std::vector<PacketRecord> records;
  std::vector<uint8_t> bytes;
  uint64_t kernel_received = 0, kernel_dropped = 0, if_dropped = 0;  // pcap_stats
  bool count_limit_reached = false, byte_limit_reached = false;
  std::vector<std::string> notes;
  void append(uint64_t ts_ns, const uint8_t* data, uint32_t caplen, uint32_t wirelen);
};

// Feeds every held packet to a fresh analyser.
CaptureAnalysis analyse_packets(const CapturedPackets& packets, const AnalyserConfig& cfg = {});

// "EN10MB (Ethernet)" style name of a link type, for messages.
std::string link_type_name(int linktype);

// Writes pcap files (nanosecond timestamps). Throws std::runtime_error on open failure.
class PcapWriter {
 public:
  PcapWriter(const std::string& path, int linktype, int snaplen = 262144);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;
  void write(uint64_t ts_ns, const uint8_t* data, uint32_t caplen, uint32_t wirelen);
  void close();

 private:
  pcap_t* dead_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
  int snaplen_;
};

void write_pcap(const CapturedPackets& packets, const std::string& path);

struct FileReadResult {
  int linktype = 0;  // of the first interface we decode
  uint64_t packets = 0;
  std::string format;              // "pcapng", "pcap, gzip", ...
  std::vector<std::string> notes;  // several interfaces, interfaces not decoded
  std::string error;  // damage found after the start (e.g. "truncated dump file"): a note
};

// Streams a saved capture (pcap, pcapng with any mix of interfaces, gzip/zstd compressed)
// through the analyser. Throws std::runtime_error with a one-line message when the file cannot
// be opened, is not a capture, or has no interface of a link type we decode; damage later in
// the file ends the read and is returned in `error`.
FileReadResult read_capture_file(const std::string& path, FlowAnalyser& analyser);

}  // namespace pktloss::capture
