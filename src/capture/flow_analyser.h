#pragma once
// Packets in, a verdict per flow out. Follows TCP sequence and acknowledgement numbers per
// direction (handshake, retransmissions vs reordering vs keep-alives, segments never
// acknowledged, duplicate ACKs, zero windows, sizes delivered vs lost), drops frames captured
// twice, ties ICMP errors to the flow they answer, and pairs UDP datagrams with ICMP port
// unreachable. Definitions: docs/capture.md. One instance per capture; not thread-safe, but usable
// from any thread. Memory is per flow (bounded by AnalyserConfig), never per packet; the
// time-sequence traces are bounded per direction and capture-wide (capture/seq_recorder.h).
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/packet_parser.h"
#include "model/capture.h"

namespace pktloss::capture {

struct AnalyserConfig {
  uint32_t max_flows = 1'000'000;        // packets of further flows are counted, not followed
  uint32_t max_tracked_segments = 4096;  // unacknowledged segments remembered per direction
  // A single SYN sent less than this before the capture ended is "in progress", not unanswered.
  // (Data segments are judged against the flow's RTO: see docs/capture.md.)
  uint64_t in_flight_grace_ns = 1'000'000'000;
  // Segments and ACKs recorded for the time-sequence graphs, all flows together (24 bytes each);
  // a connection that ends cleanly gives its share back.
  uint64_t max_trace_events = 1'000'000;
};

// The results are plain model data (model/capture.h), read by rules/capture_rules.h.
using ::pktloss::CaptureAnalysis;
using ::pktloss::FlowReport;
using ::pktloss::IcmpStats;
using ::pktloss::PacketStats;
using ::pktloss::TcpDirStats;
static_assert(kSkipReasonCount == kCaptureSkipReasons);

class FlowAnalyser {
 public:
  explicit FlowAnalyser(const AnalyserConfig& cfg = {});
  ~FlowAnalyser();
  FlowAnalyser(const FlowAnalyser&) = delete;
  FlowAnalyser& operator=(const FlowAnalyser&) = delete;

  // One captured frame of a pcap link type: decoded, then attributed to its flow.
  void add_frame(int linktype, uint64_t ts_ns, const uint8_t* data, uint32_t caplen,
                 uint32_t wirelen);
  // An already decoded packet (skip reason none).
  void add(const ParsedPacket& p);
  const PacketStats& stats() const;
  // Verdicts as of now; the analyser can keep going afterwards.
  CaptureAnalysis finish() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pktloss::capture
