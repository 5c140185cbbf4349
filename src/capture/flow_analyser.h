#pragma once
// Packets in, a verdict per flow out. Follows TCP sequence and acknowledgement numbers per
// direction (handshake, retransmissions, segments never acknowledged, duplicate ACKs, zero
// windows, sizes delivered vs lost), ties ICMP errors to the flow they answer, and pairs UDP
// datagrams with ICMP port unreachable. One instance per capture; not thread-safe, but usable
// from any thread. Memory is per flow (bounded by AnalyserConfig), never per packet.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/packet_parser.h"
#include "model/observations.h"

namespace pktloss::capture {

struct AnalyserConfig {
  uint32_t max_flows = 1'000'000;        // packets of further flows are counted, not followed
  uint32_t max_tracked_segments = 4096;  // unacknowledged segments remembered per direction
  // A segment still unacknowledged this long before the capture ended counts as lost even if it
  // was never retransmitted; younger ones are "in flight".
  uint64_t in_flight_grace_ns = 1'000'000'000;
};

// Counters for one direction of a TCP flow ("out": client -> server, "back": server -> client).
struct TcpDirStats {
  uint64_t packets = 0;
  uint64_t syns = 0;              // SYN transmissions (retransmitted SYNs included)
  uint64_t data_segments = 0;     // distinct segments with payload (or FIN)
  uint64_t acked_segments = 0;    // of those, acknowledged (cumulative ACK or SACK)
  uint64_t unacked_segments = 0;  // never acknowledged and retransmitted or older than the grace
  uint64_t in_flight_segments = 0;
  uint64_t retransmits = 0;  // transmissions of data already sent
  uint64_t dup_acks = 0;
  uint64_t zero_windows = 0;
  uint64_t resets = 0;
  uint32_t max_delivered_size = 0;  // largest IP packet known to have arrived (acked / answered)
  uint32_t min_lost_size = 0;       // smallest IP packet never acknowledged (0: none)
  uint32_t max_lost_size = 0;
  uint32_t max_sent_size = 0;
  uint64_t untracked_segments = 0;  // beyond max_tracked_segments: counted, not followed
  uint16_t mss = 0;                 // MSS this side announced
};

struct IcmpStats {
  uint64_t frag_needed = 0;  // ICMP frag-needed / ICMPv6 packet too big
  uint32_t frag_needed_mtu = 0;
  uint64_t port_unreachable = 0;
  uint64_t host_unreachable = 0;  // host / net unreachable, administratively prohibited
  uint64_t time_exceeded = 0;
  uint64_t other_errors = 0;
  std::string reporter;  // who sent the last error
};

// Everything known about one flow, and its verdict.
struct FlowReport {
  std::string proto;           // "tcp", "udp", "icmp"
  std::string client, server;  // endpoints; client is the SYN sender / first sender
  uint64_t first_ts_ns = 0, last_ts_ns = 0;
  // TCP
  bool syn_seen = false, synack_seen = false, handshake_done = false, reset_to_syn = false;
  bool fin_seen = false;
  bool in_progress = false;  // handshake begun too shortly before the end to judge it
  TcpDirStats out, back;
  // UDP / ICMP echo
  uint64_t datagrams_out = 0, datagrams_back = 0;
  IcmpStats icmp;
  FlowVerdict verdict;  // the model's view: flow, verdict line, kind, headline numbers
};

// Packet counts by outcome, for the report's notes.
struct PacketStats {
  uint64_t frames = 0;
  uint64_t analysed = 0;
  std::array<uint64_t, kSkipReasonCount> skipped{};  // indexed by SkipReason
  uint64_t untracked = 0;                            // flows beyond max_flows
  uint64_t icmp_unmatched = 0;  // ICMP errors whose quoted packet could not be decoded
  uint64_t icmp_other = 0;      // ICMP that is neither echo nor an error (ND, RS, MLD, ...)
  uint64_t skipped_total() const {
    uint64_t n = 0;
    for (auto v : skipped) n += v;
    return n;
  }
};

struct CaptureAnalysis {
  std::vector<FlowReport> flows;  // problem flows first, then by packets
  PacketStats stats;
  std::string summary;       // one line across flows, e.g. "handshake 20/20 ok; 0/40 data ..."
  std::string summary_kind;  // the dominant non-ok kind, or "ok"
  std::vector<std::string> notes;
  double duration_s = 0;  // first to last packet
  std::vector<FlowVerdict> verdicts() const;
};

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
