#pragma once
// What was seen during the observation window besides counters: probe results, kernel drop
// events (eBPF) and packet-level analysis (pcap). Filled by the probe, trace and capture modules.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/finding.h"

namespace pktloss {

struct RttStats {
  double min_ms = 0, avg_ms = 0, p50_ms = 0, p99_ms = 0, max_ms = 0;
};

struct ProbeResult {
  std::string kind;  // "tcp-syn", "tcp-connect", "http", "udp", "icmp", "mtu"
  uint64_t sent = 0;
  uint64_t received = 0;  // answered (SYN-ACK or RST for SYN probes, 2xx-5xx for HTTP, ...)
  uint64_t errors = 0;    // refused / reset / ICMP error
  uint64_t timeouts = 0;
  double loss = 0;                           // (sent - received) / sent
  double loss_ci_low = 0, loss_ci_high = 0;  // Wilson 95% interval
  std::optional<RttStats> rtt;
  std::string detail;  // e.g. "RST from 10.77.0.2:81" or "HTTP 200 first byte 1.2 ms"
  // Size sweep (kind "mtu"): largest size that got through, the first that did not, and whether
  // an ICMP frag-needed / packet-too-big came back (with the MTU it announced).
  uint32_t max_ok_size = 0;
  uint32_t min_failed_size = 0;
  bool frag_needed_seen = false;
  uint32_t frag_needed_mtu = 0;
  // Where the probe ran and what it aimed at, so rules can name them in evidence and fixes.
  std::string target;        // "10.77.0.2:80"
  std::string source_netns;  // namespace the probes left from ("" = unknown / current)
  std::string local_ifname;  // interface the route to the target uses (mtu sweep)
  uint32_t local_mtu = 0;    // that interface's MTU
  uint32_t route_mtu = 0;    // MTU of the route (IP_MTU), may be lower than local_mtu
};

// The other end of a veth device a drop was counted on: where the packet was going.
struct DropPeerDevice {
  uint64_t netns_inode = 0;
  std::string netns;
  int ifindex = 0;
  std::string dev;
};

// One row of kernel drop events aggregated in the kernel (kfree_skb with a drop reason).
// The tracer fills the facts (where, why, how many); rules/drop_attribution fills the meaning
// (layer, finding, explanation) and may move the row to the veth peer it was meant for.
struct DropEventRow {
  uint64_t netns_inode = 0;
  std::string netns;  // resolved name when known
  int ifindex = 0;
  std::string dev;
  std::string reason;    // "NETFILTER_DROP", "NO_SOCKET", "NOT_SPECIFIED", ... from kernel BTF
  std::string location;  // symbol+offset, e.g. "nft_do_chain+0x3a4"
  std::string function;  // the symbol alone ("" when unresolved), e.g. "nft_do_chain"
  // Set by the tracer when dev is a veth whose peer it knows; cleared once attributed.
  std::optional<DropPeerDevice> peer;
  std::string layer;       // mapped layer name
  std::string finding_id;  // mapped finding id, e.g. "netfilter.drop_rule"
  std::string explanation;
  std::string proto;    // "tcp", "udp", "icmp", ...
  std::string flow;     // "10.0.0.1:1234 -> 10.0.0.2:80" with --flows, else empty
  std::string example;  // one sampled event of this row: "flow len N" (rate-limited ring buffer)
  uint64_t packets = 0;
  uint64_t bytes = 0;
};

// Packet-level verdict on one flow (pcap).
struct FlowVerdict {
  std::string flow;     // "tcp 10.0.0.1:40000 -> 10.0.0.2:80"
  std::string verdict;  // human line, e.g. "handshake ok; 0/12 data segments above 100 bytes acked"
  std::string kind;  // "ok", "size_dependent_loss", "syn_unanswered", "reset", "retransmits", ...
  uint64_t retransmits = 0;
  uint64_t unacked_segments = 0;
  uint32_t max_delivered_size = 0;
  uint32_t min_lost_size = 0;
  bool frag_needed_seen = false;
};

// Counters about the tracer itself, so a user can trust "no lost events".
struct TraceStats {
  uint64_t recursion_misses = 0;  // program invocations the kernel skipped (nested on a CPU)
  uint64_t map_full = 0;          // drops not counted because the hash map was full
  uint64_t samples_lost = 0;      // examples lost to a full ring buffer (counts are unaffected)
  std::string attach_mode;        // "tp_btf" or "tracepoint"
};

struct Observations {
  std::vector<ProbeResult> probes;
  std::vector<DropEventRow> drop_events;
  bool drop_events_available = false;
  std::vector<FlowVerdict> flows;
  bool capture_available = false;
  // Findings drawn from captured packets (capture module). The engine merges each into the
  // counter/probe finding it confirms, or keeps it on its own when nothing else saw the cause.
  std::vector<Finding> packet_findings;
  // What our own probes caused, said for the report's notes. The discount itself works from the
  // numbers below (rules/own_traffic.h), never from these strings.
  std::vector<std::string> own_traffic_notes;
  // Raw TCP SYN probes this run sent (each one makes the probing host answer the SYN-ACK with
  // a RST and may show up as a NO_SOCKET drop), and the namespace they left from.
  uint64_t own_syn_probes = 0;
  std::string own_syn_probes_netns;
  // Of those, the SYN-ACKs that came back: each made the probing host send a RST (and count a
  // NO_SOCKET drop), and made the target count an embryonic reset and a failed attempt.
  uint64_t own_syn_acks_reset = 0;
};

}  // namespace pktloss
