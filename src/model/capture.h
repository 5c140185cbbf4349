#pragma once
// What a packet capture says, per flow and overall: plain data filled by the capture module's
// analyser and read by the capture rules (rules/capture_rules.h) and the renderers.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/observations.h"

namespace pktloss {

// Counters for one direction of a TCP flow ("out": client -> server, "back": server -> client).
struct TcpDirStats {
  uint64_t packets = 0;
  uint64_t syns = 0;              // SYN transmissions (retransmitted SYNs included)
  uint64_t data_segments = 0;     // distinct segments with payload (or FIN)
  uint64_t acked_segments = 0;    // of those, acknowledged (cumulative ACK, SACK or a RST reply)
  uint64_t unacked_segments = 0;  // never acknowledged and retransmitted or older than an RTO
  uint64_t in_flight_segments = 0;
  uint64_t retransmits = 0;  // transmissions of data already sent (not reordering, keep-alives)
  uint64_t reordered = 0;    // below the highest sequence sent, within a fraction of the RTT
  uint64_t keepalives = 0;   // 1 byte (or none) at snd_max - 1 whose byte was acknowledged
  uint64_t dup_acks = 0;     // RFC 5681 duplicate ACKs (see docs/capture.md)
  uint64_t zero_windows = 0;
  uint64_t resets = 0;
  uint32_t max_delivered_size = 0;  // largest IP packet known to have arrived (acked / answered)
  uint32_t min_lost_size = 0;       // smallest IP packet never acknowledged (0: none)
  uint32_t max_lost_size = 0;
  uint32_t max_sent_size = 0;
  uint64_t untracked_segments = 0;  // beyond max_tracked_segments: counted, not followed
  uint64_t acked_unseen = 0;        // ACKs of this side's peer covering data this side never showed
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

// One event of a flow's time-sequence trace (tcptrace's time-sequence graph) for the direction
// that lost data: a data segment it sent, or its peer's acknowledgement or SACK block of that
// data. Sequence numbers are relative to the direction's first byte (its ISN + 1).
struct SeqEvent {
  enum class Kind : uint8_t { data, retransmit, ack, sack };
  // What became of a data segment: acknowledged, judged lost (sent again, never acknowledged,
  // older than an RTO), or neither as the capture ended.
  enum class Fate : uint8_t { delivered, lost, unknown };
  uint64_t ts_ns = 0;
  uint32_t seq = 0;   // data: first byte; ack: the acknowledgement number; sack: left edge
  uint32_t end = 0;   // data: one past the last byte; ack: = seq; sack: right edge
  uint32_t size = 0;  // data: the IP packet's size
  Kind kind = Kind::data;
  Fate fate = Fate::unknown;
};

// The recorded trace of one direction. Bounded: the flow's first events, then those around each
// retransmission, then its last ones; `omitted` counts the events between that were not kept.
struct SeqTrace {
  std::string direction;         // "client->server" or "server->client"
  std::vector<SeqEvent> events;  // in capture order
  uint64_t omitted = 0;
  // A size threshold when the loss depends on size: the largest IP packet delivered and the
  // smallest lost (both 0 when loss does not depend on size).
  uint32_t max_delivered_size = 0, min_lost_size = 0;
};

// Everything known about one flow, and its verdict.
struct FlowReport {
  std::string proto;           // "tcp", "udp", "icmp"
  std::string client, server;  // endpoints; client is the SYN sender / first sender
  std::string tunnel;          // "vxlan 10.0.0.1 -> 10.0.0.2 vni 42", empty when none
  uint32_t generation = 0;     // > 0: a later connection on a reused 5-tuple
  uint64_t first_ts_ns = 0, last_ts_ns = 0;
  // TCP
  bool syn_seen = false, synack_seen = false, handshake_done = false, reset_to_syn = false;
  bool fin_seen = false;
  bool in_progress = false;  // handshake begun too shortly before the end to judge it
  // "completed", "not_completed", "refused", "in_progress", "not_captured" (began mid-flow):
  // one word that text and JSON both print.
  std::string handshake;
  // Loss cannot be judged: one end sent nothing, or ACKs cover data the capture never held.
  bool one_sided = false;
  bool control_only = false;  // only SYN/FIN/RST packets: a filtered capture
  uint64_t fragments = 0;     // IP fragments of this flow (reassembly is not attempted)
  uint64_t duplicates = 0;    // frames captured twice, ignored
  TcpDirStats out, back;
  uint64_t rtt_ns = 0;  // handshake RTT when seen, else 0
  // UDP / ICMP echo
  uint64_t datagrams_out = 0, datagrams_back = 0;
  IcmpStats icmp;
  FlowVerdict verdict;  // the model's view: flow, verdict line, kind, headline numbers
  // The time-sequence trace of the direction that lost data: present for the worst flows with
  // retransmissions or segments never acknowledged (at most kMaxSeqTraces per capture).
  std::optional<SeqTrace> seq_trace;
};
inline constexpr size_t kMaxSeqTraces = 8;

// Packet counts by outcome, for the report's notes. Skip reasons are indexed as in
// capture::SkipReason.
inline constexpr int kCaptureSkipReasons = 7;
struct PacketStats {
  uint64_t frames = 0;
  uint64_t analysed = 0;
  std::array<uint64_t, kCaptureSkipReasons> skipped{};
  uint64_t untracked = 0;         // flows beyond max_flows
  uint64_t icmp_unmatched = 0;    // ICMP errors whose quoted packet could not be decoded
  uint64_t icmp_other = 0;        // ICMP that is neither echo nor an error (ND, RS, MLD, ...)
  uint64_t duplicate_frames = 0;  // the same frame captured twice (mirrored port, two interfaces)
  uint64_t tunnelled = 0;         // packets analysed after decapsulation
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
  // Events of sequence traces not recorded because the capture-wide budget was spent.
  uint64_t seq_trace_budget_omitted = 0;
  std::vector<FlowVerdict> verdicts() const {
    std::vector<FlowVerdict> v;
    v.reserve(flows.size());
    for (const auto& f : flows) v.push_back(f.verdict);
    return v;
  }
};

// Where the capture came from: what a finding may say about the host and its fixes.
struct CaptureContext {
  std::string netns;       // where the capture ran ("file" for --read)
  std::string iface;       // capture interface; empty for a saved file
  bool from_file = false;  // a saved capture: no live-host advice, no namespace prefix
};

}  // namespace pktloss
