#include "capture/flow_analyser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>

#include "capture/flow_table.h"
#include "capture/seq_recorder.h"

namespace pktloss::capture {
namespace {

// Sequence-space comparisons (RFC 1982): correct across the 2^32 wrap.
inline bool seq_after(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b) > 0;
}
inline bool seq_before(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b) < 0;
}

struct Seg {
  uint32_t seq, end, size;
  uint16_t tx;
  bool acked;
  uint64_t ts;
};

// A few recent frames of one direction, to recognise the same frame captured twice.
struct RecentFrames {
  std::array<uint64_t, 8> hash{};
  std::array<uint64_t, 8> ts{};
  uint8_t next = 0;
};

struct Dir {
  TcpDirStats st;
  bool isn_valid = false, snd_valid = false, ack_valid = false, last_valid = false;
  bool fin_sent = false;
  uint32_t isn = 0, snd_max = 0, max_ack = 0, last_ack = 0;
  uint32_t base = 0;  // sequence number 0 of the time-sequence trace (ISN + 1, or the first seen)
  uint16_t last_win = 0;
  uint32_t syn_size = 0;  // size of our SYN until the peer answers it
  uint64_t syn_ts = 0;    // when our first SYN was seen
  uint64_t last_syn_ts = 0;
  uint64_t high_ts = 0;  // when snd_max last advanced: reordering is judged against it
  uint32_t dup_run = 0;  // duplicate ACKs sent since this side's ACK last advanced
  // Segments not yet cumulatively acknowledged, in sequence order, from `head`.
  std::vector<Seg> segs;
  size_t head = 0;
  // Sequence ranges skipped over (a segment began above snd_max): data the capture has not
  // held. A later segment inside one is reordering or the retransmission of an uncaptured one.
  std::vector<std::pair<uint32_t, uint32_t>> holes;
  RecentFrames recent;
  // This direction's segments and the peer's ACKs of them; allocated on first use, so a flow
  // costs a pointer until it carries data.
  std::unique_ptr<SeqRecorder> trace;
  bool has_outstanding() const { return head < segs.size(); }
};

struct Flow {
  bool client_is_a = true;
  uint8_t proto = 0, family = 0;
  uint64_t first_ts = 0, last_ts = 0;
  bool syn_seen = false, synack_seen = false, handshake_done = false, reset_to_syn = false;
  bool fin_seen = false, rst_seen = false;
  bool trace_released = false;  // ended cleanly: its sequence trace was given back
  uint32_t generation = 0;
  uint64_t plain_packets = 0;  // TCP packets with neither SYN, FIN nor RST
  uint64_t rtt_ns = 0;         // handshake RTT, else the first clean data/ACK sample
  uint64_t duplicates = 0;
  uint64_t fragments = 0;
  Dir d[2];
  uint64_t dgrams[2] = {0, 0};
  RecentFrames recent_dgram[2];
  IcmpStats icmp;
  std::array<uint8_t, 16> reporter{};
  uint8_t reporter_family = 0;
  uint8_t tunnel = 0;
  uint32_t tunnel_id = 0;
  Tuple outer;
};

constexpr size_t kMaxFragmentKeys = 65536;  // fragmented datagrams remembered for attribution
// Linux's minimum RTO; without an RTT sample, RFC 6298's initial 1 s.
constexpr uint64_t kMinRtoNs = 200'000'000, kInitialRtoNs = 1'000'000'000;
// Reordering is a later segment overtaken by at most this share of an RTT (or 3 ms, tshark's
// default, when no RTT is known).
constexpr uint64_t kNoRttReorderNs = 3'000'000;
// The same frame captured twice (mirrored port, two capture points) arrives this close: a few
// microseconds, more on a loaded host (a veth's far end captures after a softirq, which a busy
// host defers to ksoftirqd: copies 2-20 ms apart were seen on a loaded CI machine). An IPv4
// packet with the same non-zero IP ID is never a retransmission: Linux (and every stack that
// numbers its packets) gives each transmission a new ID, so the same ID and bytes come again
// only after the 16-bit counter wrapped, 65,536 packets later; the window for them is the
// shortest retransmission timeout. Without an ID (IPv6) a fast retransmission on a veth can
// follow the original by tens of microseconds, so only microseconds separate copies.
constexpr uint64_t kDuplicateWindowNs = 50'000;
constexpr uint64_t kDuplicateWindowIdNs = kMinRtoNs;
// Linux TIME_WAIT: after this, a 5-tuple may carry a new connection even without FIN/RST.
constexpr uint64_t kTimeWaitNs = 60'000'000'000ull;

uint64_t rto_ns(const Flow& f) {
  return f.rtt_ns ? std::max(kMinRtoNs, 3 * f.rtt_ns) : kInitialRtoNs;
}

// True (and remembered otherwise) when this frame's hash was seen within the window.
bool seen_recently(RecentFrames& r, uint64_t hash, uint64_t ts, uint64_t window) {
  if (hash == 0) return false;
  for (size_t i = 0; i < r.hash.size(); ++i)
    // Either order: two capture points merged into one file need not be sorted by time.
    if (r.hash[i] == hash && (ts >= r.ts[i] ? ts - r.ts[i] : r.ts[i] - ts) <= window) return true;
  r.hash[r.next] = hash;
  r.ts[r.next] = ts;
  r.next = static_cast<uint8_t>((r.next + 1) % r.hash.size());
  return false;
}

// The IP packet's first bytes, hop count and IPv4 checksum masked (they change between capture
// points), folded into 64 bits. 0 means "no hash".
uint64_t frame_hash(const uint8_t* ip, uint32_t len, uint8_t family) {
  uint8_t buf[64] = {};
  uint32_t n = len < sizeof buf ? len : sizeof buf;
  std::memcpy(buf, ip, n);
  if (family == 4 && n >= 12) {
    buf[8] = 0;
    buf[10] = buf[11] = 0;
  } else if (family == 6 && n >= 8) {
    buf[7] = 0;
  }
  uint64_t h = 0xcbf29ce484222325ull ^ n;
  for (uint32_t i = 0; i < sizeof buf; i += 8) {
    uint64_t w;
    std::memcpy(&w, buf + i, 8);
    h = (h ^ w) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  return h | 1;
}

void deliver(Dir& dir, Seg& s) {
  s.acked = true;
  ++dir.st.acked_segments;
  dir.st.max_delivered_size = std::max(dir.st.max_delivered_size, s.size);
}

// Which kinds matter most: problems first, in the order a user would chase them.
int kind_rank(const std::string& k) {
  static const char* order[] = {"size_dependent_loss",
                                "syn_unanswered",
                                "unreachable",
                                "udp_port_unreachable",
                                "reset",
                                "loss",
                                "ttl_exceeded",
                                "echo_unanswered",
                                "zero_window",
                                "retransmits",
                                "frag_needed",
                                "one_sided",
                                "control_only",
                                "ok"};
  for (size_t i = 0; i < std::size(order); ++i)
    if (k == order[i]) return static_cast<int>(i);
  return static_cast<int>(std::size(order));
}

// "vxlan 10.0.0.1 -> 10.0.0.2 vni 42": the outermost tunnel the flow came through.
std::string tunnel_label(const Flow& f) {
  std::string s = tunnel_name(f.tunnel);
  if (f.outer.family)
    s += " " + format_endpoint(f.outer.src, f.outer.family, 0, false) + " -> " +
         format_endpoint(f.outer.dst, f.outer.family, 0, false);
  if (f.tunnel == kTunnelVxlan || f.tunnel == kTunnelGeneve)
    s += fmt::format(" vni {}", f.tunnel_id);
  else if (f.tunnel == kTunnelMpls)
    s += fmt::format(" label {}", f.tunnel_id);
  else if ((f.tunnel == kTunnelGre || f.tunnel == kTunnelGretap) && f.tunnel_id)
    s += fmt::format(" key {}", f.tunnel_id);
  return s;
}

// "1 RST", "2 RSTs": counted nouns read right.
std::string plural(uint64_t n, const char* noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

const char* proto_name(uint8_t p) {
  switch (p) {
    case kProtoTcp:
      return "tcp";
    case kProtoUdp:
      return "udp";
    case kProtoIcmp:
      return "icmp";
    case kProtoIcmp6:
      return "icmp6";
  }
  return "ip";
}

}  // namespace

struct FlowAnalyser::Impl {
  AnalyserConfig cfg;
  FlowTable table;
  std::vector<Flow> flows;
  PacketStats stats;
  ParsedPacket scratch;
  uint64_t first_ts = 0, last_ts = 0;

  TraceBudget trace_budget;

  explicit Impl(const AnalyserConfig& c) : cfg(c), table(1024) {
    trace_budget.left = c.max_trace_events;
  }

  void record(Flow& f, Dir& d, SeqEvent::Kind kind, uint64_t ts, uint32_t seq, uint32_t end,
              uint32_t size) {
    if (f.trace_released) return;
    SeqEvent e;
    e.ts_ns = ts;
    e.seq = seq - d.base;
    e.end = end - d.base;
    e.size = size;
    e.kind = kind;
    if (!d.trace) {
      if (trace_budget.left == 0) {
        ++trace_budget.omitted;
        return;
      }
      d.trace = std::make_unique<SeqRecorder>();
    }
    d.trace->add(e, kind == SeqEvent::Kind::retransmit, trace_budget);
  }
  // A connection that ended with nothing sent twice needs no graph: its budget goes back.
  void maybe_release_trace(Flow& f) {
    if (f.trace_released || !(f.rst_seen || (f.d[0].fin_sent && f.d[1].fin_sent))) return;
    for (const Dir& d : f.d)
      if (d.st.retransmits || d.has_outstanding()) return;
    for (Dir& d : f.d)
      if (d.trace) {
        d.trace->release(trace_budget);
        d.trace.reset();
      }
    f.trace_released = true;
  }

  // Finds or creates the flow of tuple t; sets dir to 0 when t's sender is the client. A new
  // SYN (another ISN) on a 5-tuple whose connection ended starts the next flow on it.
  Flow* lookup(const Tuple& t, uint64_t ts, bool sender_is_client_hint, int& dir,
               const ParsedPacket* syn = nullptr) {
    bool src_is_a = false;
    FlowKey k = make_flow_key(t, src_is_a);
    // Packets come in bursts per flow: try the previous packet's flow before the table.
    uint32_t idx = FlowTable::kNone;
    if (last_index != FlowTable::kNone && last_key == k) {
      idx = last_index;
    } else {
      uint64_t h = hash_flow_key(k);
      idx = table.find(k, h);
      if (idx == FlowTable::kNone) {
        if (table.size() >= cfg.max_flows) {
          ++stats.untracked;
          return nullptr;
        }
        idx = table.insert(k, h);
        new_flow(t, ts, sender_is_client_hint ? src_is_a : !src_is_a, 0);
      }
      last_key = k;
      last_index = idx;
    }
    if (syn && connection_ended(flows[idx], src_is_a, *syn)) {
      if (table.size() >= cfg.max_flows) {
        ++stats.untracked;
        return nullptr;
      }
      uint32_t gen = flows[idx].generation + 1;
      idx = table.replace(k, hash_flow_key(k));
      new_flow(t, ts, src_is_a, gen);
      last_index = idx;
    }
    Flow& f = flows[idx];
    dir = (src_is_a == f.client_is_a) ? 0 : 1;
    if (ts > f.last_ts) f.last_ts = ts;
    return &f;
  }
  void new_flow(const Tuple& t, uint64_t ts, bool client_is_a, uint32_t generation) {
    flows.emplace_back();
    Flow& f = flows.back();
    f.client_is_a = client_is_a;
    f.proto = t.proto;
    f.family = t.family;
    f.first_ts = ts;
    f.generation = generation;
  }
  // A plain SYN from `src_is_a`'s side with a new ISN, after a RST, FIN from both sides, or
  // TIME_WAIT of silence.
  static bool connection_ended(const Flow& f, bool src_is_a, const ParsedPacket& syn) {
    const Dir& me = f.d[src_is_a == f.client_is_a ? 0 : 1];
    if (me.isn_valid && me.isn == syn.seq) return false;                   // the same SYN again
    if (f.plain_packets == 0 && !f.rst_seen && !f.fin_seen) return false;  // SYN retries
    return f.rst_seen || (f.d[0].fin_sent && f.d[1].fin_sent) ||
           syn.ts_ns - f.last_ts > kTimeWaitNs;
  }
  FlowKey last_key;
  uint32_t last_index = FlowTable::kNone;
  std::unordered_map<uint64_t, uint32_t> frag_owner;  // (src, dst, proto, id) -> flow

  // Addresses, protocol and fragment ID (IPv4 or IPv6) folded into one key.
  static uint64_t fragment_key(const Tuple& t, uint32_t id) {
    uint64_t w[4];
    std::memcpy(w, t.src.data(), 16);
    std::memcpy(w + 2, t.dst.data(), 16);
    uint64_t h = (uint64_t{id} << 8) ^ t.proto;
    for (uint64_t x : w) h = (h ^ x) * 0x9e3779b97f4a7c15ull;
    return h;
  }
  // A non-first fragment: counted on the flow its first fragment belonged to.
  void on_fragment(const ParsedPacket& p) {
    if (frag_owner.empty()) return;
    auto it = frag_owner.find(fragment_key(p.t, p.frag_id));
    if (it != frag_owner.end() && it->second < flows.size()) ++flows[it->second].fragments;
  }

  // Fills in the hole [start, end) when a segment lands inside one; true when it did.
  static bool fill_hole(Dir& me, uint32_t start, uint32_t end) {
    for (size_t i = 0; i < me.holes.size(); ++i) {
      auto [l, r] = me.holes[i];
      if (seq_before(start, l) || seq_after(end, r)) continue;
      me.holes.erase(me.holes.begin() + static_cast<long>(i));
      if (seq_before(l, start)) me.holes.emplace_back(l, start);
      if (seq_before(end, r)) me.holes.emplace_back(end, r);
      return true;
    }
    return false;
  }

  void on_tcp(Flow& f, int di, const ParsedPacket& p) {
    Dir& me = f.d[di];
    Dir& peer = f.d[1 - di];
    ++me.st.packets;
    me.st.max_sent_size = std::max(me.st.max_sent_size, p.ip_len);
    const uint8_t fl = p.tcp_flags;
    const bool syn = fl & tcpflag::kSyn, ack = fl & tcpflag::kAck, rst = fl & tcpflag::kRst;
    const bool fin = fl & tcpflag::kFin;
    if (!(fl & (tcpflag::kSyn | tcpflag::kFin | tcpflag::kRst))) ++f.plain_packets;
    if (rst) {
      ++me.st.resets;
      f.rst_seen = true;
      if (di == 1 && !f.synack_seen && f.syn_seen) f.reset_to_syn = true;
      // A RST answering a SYN proves the SYN arrived.
      if (peer.syn_size) {
        peer.st.max_delivered_size = std::max(peer.st.max_delivered_size, peer.syn_size);
        peer.syn_size = 0;
      }
      // A RST answers what the peer sent: the peer's data reached this end (it was refused,
      // not lost). Everything the peer had outstanding counts as delivered.
      for (size_t i = peer.head; i < peer.segs.size(); ++i)
        if (!peer.segs[i].acked && peer.segs[i].ts <= p.ts_ns) deliver(peer, peer.segs[i]);
    }
    if (syn && !rst) {
      if (me.st.syns++ == 0) me.syn_ts = p.ts_ns;
      me.last_syn_ts = p.ts_ns;
      me.isn = p.seq;
      me.base = p.seq + 1;
      me.isn_valid = true;
      me.snd_max = p.seq + 1;
      me.snd_valid = true;
      me.syn_size = std::max(me.syn_size, p.ip_len);
      if (p.mss) me.st.mss = p.mss;
      if (ack)
        f.synack_seen = true;
      else
        f.syn_seen = true;
    }
    if (ack && !rst) {
      const uint32_t a = p.ack;
      if (peer.isn_valid && peer.syn_size && !seq_after(peer.isn + 1, a)) {
        peer.st.max_delivered_size = std::max(peer.st.max_delivered_size, peer.syn_size);
        peer.syn_size = 0;
      }
      if (di == 0 && !syn && f.synack_seen && peer.isn_valid && a == peer.isn + 1 &&
          !f.handshake_done) {
        f.handshake_done = true;
        // SYN to the ACK that completes the handshake: one RTT as the capture point sees it.
        if (f.syn_seen && me.last_syn_ts && p.ts_ns > me.last_syn_ts && me.st.syns == 1 &&
            peer.st.syns == 1)
          f.rtt_ns = p.ts_ns - me.last_syn_ts;
      }
      // SACK blocks beyond what the capture showed of the peer: the peer sent (and this side
      // received) data the capture missed. It counts as outstanding from here on.
      for (uint8_t b = 0; b < p.sack_blocks; ++b)
        if (peer.snd_valid && seq_after(p.sack[b][1], peer.snd_max)) {
          ++peer.st.acked_unseen;
          peer.snd_max = p.sack[b][1];
        }
      // RFC 5681 duplicate ACK: data outstanding, no payload, neither SYN nor FIN, the same
      // acknowledgement as the highest so far and the same window as the last ACK.
      const bool pure = p.payload_len == 0 && !(fl & (tcpflag::kSyn | tcpflag::kFin));
      if (pure && me.ack_valid && me.last_valid && a == me.max_ack && p.window == me.last_win &&
          peer.snd_valid && seq_after(peer.snd_max, a)) {
        ++me.st.dup_acks;
        ++me.dup_run;
      }
      if (peer.snd_valid && (!me.ack_valid || seq_after(a, me.max_ack)))
        record(f, peer, SeqEvent::Kind::ack, p.ts_ns, a, a, 0);
      if (peer.snd_valid)
        for (uint8_t b = 0; b < p.sack_blocks; ++b)
          record(f, peer, SeqEvent::Kind::sack, p.ts_ns, p.sack[b][0], p.sack[b][1], 0);
      me.last_ack = a;
      me.last_win = p.window;
      me.last_valid = true;
      // An ACK for data the capture never held from the peer: the capture misses packets.
      if (peer.snd_valid && seq_after(a, peer.snd_max)) {
        ++peer.st.acked_unseen;
        peer.snd_max = a;
      }
      if (!me.ack_valid || seq_after(a, me.max_ack)) {
        me.dup_run = 0;
        me.max_ack = a;
        me.ack_valid = true;
        for (size_t i = 0; i < peer.holes.size();) {
          if (!seq_after(peer.holes[i].second, a)) {
            ++peer.st.acked_unseen;
            peer.holes.erase(peer.holes.begin() + static_cast<long>(i));
          } else {
            ++i;
          }
        }
        while (peer.head < peer.segs.size() && !seq_after(peer.segs[peer.head].end, a)) {
          Seg& s = peer.segs[peer.head++];
          if (!s.acked) {
            // Karn: only segments sent once give an RTT sample.
            if (!f.rtt_ns && s.tx == 1 && p.ts_ns > s.ts) f.rtt_ns = p.ts_ns - s.ts;
            deliver(peer, s);
          }
        }
        if (peer.head == peer.segs.size()) {
          peer.segs.clear();
          peer.head = 0;
        } else if (peer.head > 1024 && peer.head * 2 > peer.segs.size()) {
          peer.segs.erase(peer.segs.begin(), peer.segs.begin() + static_cast<long>(peer.head));
          peer.head = 0;
        }
      }
      // SACK blocks: segments entirely inside one arrived out of order.
      for (uint8_t b = 0; b < p.sack_blocks; ++b) {
        uint32_t l = p.sack[b][0], r = p.sack[b][1];
        auto first =
            std::partition_point(peer.segs.begin() + static_cast<long>(peer.head), peer.segs.end(),
                                 [l](const Seg& s) { return seq_before(s.seq, l); });
        for (auto it = first; it != peer.segs.end() && !seq_after(it->end, r); ++it)
          if (!it->acked) deliver(peer, *it);
      }
    }
    if (!rst && !syn && p.window == 0) ++me.st.zero_windows;
    if (fin) {
      f.fin_seen = true;
      me.fin_sent = true;
    }
    if (syn || rst) return;
    const uint32_t len = p.payload_len + (fin ? 1 : 0);
    const uint32_t start = p.seq, end = p.seq + len;
    if (!me.snd_valid) {  // mid-flow: the first packet's sequence (pure ACKs too) is the start
      me.snd_max = start;
      me.base = start;
      me.snd_valid = true;
    }
    if (len == 0) {
      // A pure ACK one below snd_max whose byte was acknowledged: a keep-alive probe.
      if (start == me.snd_max - 1 && peer.ack_valid && !seq_before(peer.max_ack, me.snd_max))
        ++me.st.keepalives;
      else if (seq_after(start, me.snd_max))
        note_hole(me, start);  // data went by that the capture does not hold
      return;
    }
    if (seq_after(start, me.snd_max)) note_hole(me, start);
    bool resent = false;  // recorded as a retransmission already
    if (seq_before(start, me.snd_max)) {
      // A keep-alive: one byte at snd_max - 1 that the peer had already acknowledged (if it
      // was not, resending it is a retransmission).
      if (len == 1 && !fin && end == me.snd_max && peer.ack_valid &&
          !seq_before(peer.max_ack, me.snd_max)) {
        ++me.st.keepalives;
        return;
      }
      const bool filled = fill_hole(me, start, seq_after(end, me.snd_max) ? me.snd_max : end);
      const uint64_t reorder_ns = f.rtt_ns ? f.rtt_ns / 2 : kNoRttReorderNs;
      // After duplicate ACKs asking for exactly this segment it is a fast retransmission.
      const bool asked_for = peer.dup_run >= 2 && peer.ack_valid && start == peer.max_ack;
      if (filled && !asked_for && p.ts_ns - me.high_ts < reorder_ns) {
        // Never seen before and overtaken only just now: the network reordered it.
        ++me.st.reordered;
        ++me.st.data_segments;
        track(me, start, end, p);
        record(f, me, SeqEvent::Kind::data, p.ts_ns, start, end, p.ip_len);
        return;
      }
      if (!filled) {
        ++me.st.retransmits;
        auto seg = std::partition_point(me.segs.begin() + static_cast<long>(me.head), me.segs.end(),
                                        [start](const Seg& s) { return !seq_after(s.end, start); });
        if (seg != me.segs.end() && !seq_after(seg->seq, start) && seg->tx < UINT16_MAX) ++seg->tx;
      } else {
        // The first copy was lost before the capture point (or the capture missed it).
        ++me.st.retransmits;
        ++me.st.data_segments;
        Seg* s = track(me, start, seq_after(end, me.snd_max) ? me.snd_max : end, p);
        if (s) s->tx = 2;
      }
      record(f, me, SeqEvent::Kind::retransmit, p.ts_ns, start, end, p.ip_len);
      if (!seq_after(end, me.snd_max)) return;
      resent = true;
    }
    // New data (from snd_max on when it overlaps what was sent before).
    const uint32_t new_start = seq_before(start, me.snd_max) ? me.snd_max : start;
    me.snd_max = end;
    me.high_ts = p.ts_ns;
    ++me.st.data_segments;
    track(me, new_start, end, p);
    if (!resent) record(f, me, SeqEvent::Kind::data, p.ts_ns, start, end, p.ip_len);
  }

  void note_hole(Dir& me, uint32_t start) {
    if (me.holes.size() < 16) me.holes.emplace_back(me.snd_max, start);
    me.snd_max = start;
  }

  // Remembers an unacknowledged segment, in sequence order (a hole fill goes in its place).
  Seg* track(Dir& me, uint32_t start, uint32_t end, const ParsedPacket& p) {
    if (me.segs.size() - me.head >= cfg.max_tracked_segments) {
      ++me.st.untracked_segments;
      return nullptr;
    }
    Seg s{start, end, p.ip_len, 1, false, p.ts_ns};
    if (me.segs.size() == me.head || !seq_before(start, me.segs.back().seq)) {
      me.segs.push_back(s);
      return &me.segs.back();
    }
    auto it = std::partition_point(me.segs.begin() + static_cast<long>(me.head), me.segs.end(),
                                   [start](const Seg& x) { return seq_before(x.seq, start); });
    return &*me.segs.insert(it, s);
  }

  void on_icmp_error(const ParsedPacket& p) {
    int di = 0;
    // The quoted packet was sent by the flow's endpoint in inner.src; that sender is our client
    // when the flow is new (e.g. a UDP datagram whose ICMP answer is all we saw of it).
    Flow* f = lookup(p.inner, p.ts_ns, true, di);
    if (!f) return;
    IcmpStats& ic = f->icmp;
    bool v6 = p.t.proto == kProtoIcmp6;
    uint8_t type = p.icmp_type, code = p.icmp_code;
    if ((!v6 && type == 3 && code == 4) || (v6 && type == 2)) {
      ++ic.frag_needed;
      ic.frag_needed_mtu = p.icmp_mtu;
    } else if ((!v6 && type == 3 && code == 3) || (v6 && type == 1 && code == 4)) {
      ++ic.port_unreachable;
    } else if ((!v6 && type == 3 && code != 2) || (v6 && type == 1)) {
      ++ic.host_unreachable;
    } else if ((!v6 && type == 11) || (v6 && type == 3)) {
      ++ic.time_exceeded;
    } else {
      ++ic.other_errors;
    }
    f->reporter = p.t.src;
    f->reporter_family = p.t.family;
  }

  void add(const ParsedPacket& p, uint64_t hash) {
    ++stats.analysed;
    if (first_ts == 0 || p.ts_ns < first_ts) first_ts = p.ts_ns;
    if (p.ts_ns > last_ts) last_ts = p.ts_ns;
    if (p.tunnel) ++stats.tunnelled;
    if (p.icmp_error) {
      if (p.has_inner)
        on_icmp_error(p);
      else
        ++stats.icmp_unmatched;
      return;
    }
    if ((p.t.proto == kProtoIcmp || p.t.proto == kProtoIcmp6) && !p.icmp_echo &&
        !p.icmp_echo_reply) {
      ++stats.icmp_other;  // neighbour discovery, router solicitations, MLD: not flows
      return;
    }
    bool client_hint = true;
    bool plain_syn = false;
    if (p.t.proto == kProtoTcp) {
      bool synack =
          (p.tcp_flags & (tcpflag::kSyn | tcpflag::kAck)) == (tcpflag::kSyn | tcpflag::kAck);
      plain_syn = (p.tcp_flags & (tcpflag::kSyn | tcpflag::kAck | tcpflag::kRst)) == tcpflag::kSyn;
      // Mid-flow: the side on a well-known port is the server.
      client_hint = plain_syn || (!synack && !(p.t.sport < 1024 && p.t.dport >= 1024));
    } else if (p.icmp_echo_reply) {
      client_hint = false;
    } else if (p.t.proto == kProtoUdp) {
      client_hint = !(p.t.sport < 1024 && p.t.dport >= 1024);
    }
    int di = 0;
    Flow* f = lookup(p.t, p.ts_ns, client_hint, di, plain_syn ? &p : nullptr);
    if (!f) return;
    if (p.tunnel && !f->tunnel) {
      f->tunnel = p.tunnel;
      f->tunnel_id = p.tunnel_id;
      f->outer = p.outer;
    }
    if (p.first_fragment) {
      ++f->fragments;
      // Later fragments carry no ports: they find their flow by addresses and IP ID.
      if (frag_owner.size() < kMaxFragmentKeys)
        frag_owner[fragment_key(p.t, p.frag_id)] = static_cast<uint32_t>(f - flows.data());
    }
    // The same frame twice within microseconds is the capture's doing, not the sender's.
    RecentFrames& recent = p.t.proto == kProtoTcp ? f->d[di].recent : f->recent_dgram[di];
    if (seen_recently(recent, hash, p.ts_ns,
                      p.t.family == 4 ? kDuplicateWindowIdNs : kDuplicateWindowNs)) {
      ++f->duplicates;
      ++stats.duplicate_frames;
      return;
    }
    if (p.t.proto == kProtoTcp) {
      on_tcp(*f, di, p);
      maybe_release_trace(*f);
    } else
      ++f->dgrams[di];
  }

  FlowReport report(const Flow& f, uint32_t index) const;
  std::optional<SeqTrace> seq_trace(const Flow& f, const FlowReport& r) const;
};

// The trace of the direction that lost the most (never acknowledged, then retransmitted), each
// data segment with its fate; none when neither direction sent anything twice.
std::optional<SeqTrace> FlowAnalyser::Impl::seq_trace(const Flow& f, const FlowReport& r) const {
  if (f.proto != kProtoTcp || f.trace_released) return std::nullopt;
  const TcpDirStats* st[2] = {&r.out, &r.back};
  int di = st[1]->unacked_segments > st[0]->unacked_segments ||
                   (st[1]->unacked_segments == st[0]->unacked_segments &&
                    st[1]->retransmits > st[0]->retransmits)
               ? 1
               : 0;
  if (st[di]->unacked_segments + st[di]->retransmits == 0) return std::nullopt;
  const Dir& d = f.d[di];
  SeqTrace t;
  t.direction = di == 0 ? "client->server" : "server->client";
  if (d.trace) {
    t.events = d.trace->events();
    t.omitted = d.trace->omitted();
  }
  if (r.verdict.kind == "size_dependent_loss") {
    t.max_delivered_size = r.verdict.max_delivered_size;
    t.min_lost_size = r.verdict.min_lost_size;
  }
  // Outstanding segments, relative and in sequence order: lost as report() judged them, or
  // still unknown; any other data segment was acknowledged.
  struct Range {
    uint32_t l, r;
    SeqEvent::Fate fate;
  };
  std::vector<Range> open;
  const bool judge = !r.one_sided && !r.control_only;
  const uint64_t rto = rto_ns(f);
  for (size_t i = d.head; i < d.segs.size(); ++i) {
    const Seg& s = d.segs[i];
    if (s.acked) continue;
    bool lost = judge && s.tx > 1 && last_ts - s.ts >= rto;
    open.push_back(
        {s.seq - d.base, s.end - d.base, lost ? SeqEvent::Fate::lost : SeqEvent::Fate::unknown});
  }
  for (auto& e : t.events) {
    if (e.kind != SeqEvent::Kind::data && e.kind != SeqEvent::Kind::retransmit) continue;
    e.fate = SeqEvent::Fate::delivered;
    auto it = std::partition_point(open.begin(), open.end(),
                                   [&](const Range& x) { return !seq_after(x.r, e.seq); });
    for (; it != open.end() && seq_before(it->l, e.end); ++it) {
      if (it->fate == SeqEvent::Fate::lost) {
        e.fate = SeqEvent::Fate::lost;
        break;
      }
      e.fate = SeqEvent::Fate::unknown;
    }
  }
  return t;
}

FlowReport FlowAnalyser::Impl::report(const Flow& f, uint32_t index) const {
  const FlowKey& k = table.key(index);
  FlowReport r;
  r.proto = proto_name(f.proto);
  auto ea = format_endpoint(k.a, k.family, k.pa, f.proto == kProtoTcp || f.proto == kProtoUdp);
  auto eb = format_endpoint(k.b, k.family, k.pb, f.proto == kProtoTcp || f.proto == kProtoUdp);
  r.client = f.client_is_a ? ea : eb;
  r.server = f.client_is_a ? eb : ea;
  r.first_ts_ns = f.first_ts;
  r.last_ts_ns = f.last_ts;
  r.syn_seen = f.syn_seen;
  r.synack_seen = f.synack_seen;
  r.handshake_done = f.handshake_done;
  r.reset_to_syn = f.reset_to_syn;
  r.fin_seen = f.fin_seen;
  r.icmp = f.icmp;
  if (f.reporter_family) r.icmp.reporter = format_endpoint(f.reporter, f.reporter_family, 0, false);
  r.datagrams_out = f.dgrams[0];
  r.datagrams_back = f.dgrams[1];
  r.generation = f.generation;
  r.fragments = f.fragments;
  r.duplicates = f.duplicates;
  r.rtt_ns = f.rtt_ns;
  if (f.tunnel) r.tunnel = tunnel_label(f);
  // Loss cannot be judged when the capture holds one side only: no packet from one end, or
  // one end's ACKs cover data the capture never showed while it showed none of that end's data.
  r.one_sided =
      f.proto == kProtoTcp && (f.d[0].st.packets == 0 || f.d[1].st.packets == 0 ||
                               (f.d[0].st.acked_unseen > 0 && f.d[0].st.data_segments == 0) ||
                               (f.d[1].st.acked_unseen > 0 && f.d[1].st.data_segments == 0));
  // A capture filtered to SYN/FIN/RST holds no plain ACK: nothing is ever seen acknowledged.
  r.control_only = f.proto == kProtoTcp && f.plain_packets == 0 && (f.fin_seen || f.rst_seen);
  const bool judge = !r.one_sided && !r.control_only;
  // Outstanding segments are lost only on evidence: the sender sent them again and at least
  // an RTO passed since the first transmission. Otherwise they are still in flight (or their
  // ACK is not in the capture).
  const uint64_t rto = rto_ns(f);
  TcpDirStats* st[2] = {&r.out, &r.back};
  for (int di = 0; di < 2; ++di) {
    const Dir& d = f.d[di];
    *st[di] = d.st;
    for (size_t i = d.head; i < d.segs.size(); ++i) {
      const Seg& s = d.segs[i];
      if (s.acked) continue;
      if (judge && s.tx > 1 && last_ts - s.ts >= rto) {
        ++st[di]->unacked_segments;
        st[di]->min_lost_size =
            st[di]->min_lost_size ? std::min(st[di]->min_lost_size, s.size) : s.size;
        st[di]->max_lost_size = std::max(st[di]->max_lost_size, s.size);
      } else {
        ++st[di]->in_flight_segments;
      }
    }
  }

  FlowVerdict& v = r.verdict;
  v.flow = r.proto + " " + r.client + " -> " + r.server;
  if (f.generation) v.flow += fmt::format(" #{}", f.generation + 1);
  if (!r.tunnel.empty()) v.flow += " (" + r.tunnel + ")";
  v.frag_needed_seen = f.icmp.frag_needed > 0;
  const std::string frag_txt =
      f.icmp.frag_needed ? fmt::format("ICMP frag-needed seen (MTU {})", f.icmp.frag_needed_mtu)
                         : "no ICMP frag-needed";
  const std::string who = r.icmp.reporter.empty() ? "" : " from " + r.icmp.reporter;
  std::vector<std::string> parts;
  std::string kind = "ok", tail;

  if (f.proto == kProtoTcp) {
    v.retransmits = r.out.retransmits + r.back.retransmits;
    v.unacked_segments = r.out.unacked_segments + r.back.unacked_segments;
    // A single SYN sent just before the capture ended may simply not be answered yet.
    r.in_progress = f.syn_seen && !f.handshake_done && !f.reset_to_syn && r.out.syns == 1 &&
                    f.icmp.host_unreachable + f.icmp.port_unreachable == 0 &&
                    last_ts - f.d[0].syn_ts < cfg.in_flight_grace_ns;
    // The client sent more than SYNs: it got a SYN-ACK, whether or not the capture holds it.
    const bool client_moved_on = r.out.packets > r.out.syns + r.out.resets;
    const bool synack_missing = f.syn_seen && !f.synack_seen && client_moved_on;
    // One word for the handshake, which text and JSON both print.
    if (r.in_progress)
      r.handshake = "in_progress";
    else if (synack_missing)
      r.handshake = "partly_captured";
    else if (!f.syn_seen)
      r.handshake = "not_captured";
    else if (f.handshake_done)
      r.handshake = "completed";
    else if (f.reset_to_syn)
      r.handshake = "refused";
    else
      r.handshake = "not_completed";
    if (r.in_progress) {
      parts.push_back(f.synack_seen ? "handshake under way as the capture ended"
                                    : "SYN sent as the capture ended, no answer yet");
    } else if (synack_missing) {
      parts.push_back("handshake: the SYN-ACK is not in the capture");
    } else if (f.syn_seen) {
      if (f.handshake_done)
        parts.push_back("handshake 1/1 ok");
      else if (f.reset_to_syn)
        parts.push_back("handshake 0/1: SYN answered by RST");
      else if (f.synack_seen)
        parts.push_back("handshake 0/1: SYN-ACK never acknowledged");
      else
        parts.push_back(fmt::format("handshake 0/1: {} unanswered", plural(r.out.syns, "SYN")));
    } else {
      parts.push_back("no handshake seen (capture began mid-flow)");
    }
    if (f.generation)
      parts.push_back(fmt::format("connection {} on this 5-tuple", f.generation + 1));
    // The direction with the clearest size signal: lost segments all larger than anything
    // that arrived, and at least one of them sent again.
    int size_dir = -1;
    for (int di = 0; di < 2; ++di) {
      const TcpDirStats& s = *st[di];
      if (s.unacked_segments > 0 && s.max_delivered_size > 0 &&
          s.min_lost_size > s.max_delivered_size && s.retransmits > 0)
        size_dir = di;
    }
    const TcpDirStats& main = size_dir >= 0                 ? *st[size_dir]
                              : r.back.unacked_segments > 0 ? r.back
                                                            : r.out;
    v.max_delivered_size = main.max_delivered_size;
    v.min_lost_size = main.min_lost_size;
    for (int di = 0; di < 2; ++di) {
      const TcpDirStats& s = *st[di];
      if (s.data_segments == 0) continue;
      const char* dn = di == 0 ? "client->server" : "server->client";
      if (di == size_dir) {
        parts.push_back(fmt::format(
            "{}: 0/{} data segments above {} bytes acknowledged (largest delivered {} B, smallest "
            "lost {} B, {} retransmissions)",
            dn, s.unacked_segments, s.max_delivered_size, s.max_delivered_size, s.min_lost_size,
            s.retransmits));
      } else {
        std::string line = fmt::format("{}: {}/{} data segments acknowledged", dn, s.acked_segments,
                                       s.data_segments - s.untracked_segments);
        if (s.retransmits) line += ", " + plural(s.retransmits, "retransmission");
        if (s.reordered) line += fmt::format(", {} out of order", s.reordered);
        if (s.keepalives) line += ", " + plural(s.keepalives, "keep-alive");
        if (s.unacked_segments) line += fmt::format(", {} never acknowledged", s.unacked_segments);
        if (s.in_flight_segments)
          line += fmt::format(", {} unacknowledged as the capture ended", s.in_flight_segments);
        if (s.acked_unseen)
          line += fmt::format(", {} acknowledged but not in the capture", s.acked_unseen);
        parts.push_back(line);
      }
    }
    uint64_t dups = r.out.dup_acks + r.back.dup_acks;
    uint64_t zw = r.out.zero_windows + r.back.zero_windows;
    uint64_t rsts = r.out.resets + r.back.resets;
    if (dups) parts.push_back(plural(dups, "duplicate ACK"));
    if (zw) parts.push_back(plural(zw, "zero-window advertisement"));
    if (rsts && !f.reset_to_syn)
      parts.push_back(fmt::format("{} from {}", plural(rsts, "RST"),
                                  r.back.resets && r.out.resets ? "both sides"
                                  : r.back.resets               ? "the server"
                                                                : "the client"));
    if (f.fragments) parts.push_back(plural(f.fragments, "IP fragment"));
    if (f.duplicates)
      parts.push_back(fmt::format("{} captured twice (ignored)", plural(f.duplicates, "frame")));
    if (f.icmp.port_unreachable + f.icmp.host_unreachable)
      parts.push_back(fmt::format("{} ICMP unreachable{}",
                                  f.icmp.port_unreachable + f.icmp.host_unreachable, who));
    if (f.icmp.time_exceeded)
      parts.push_back(fmt::format("{} ICMP time exceeded{}", f.icmp.time_exceeded, who));

    const bool has_data = r.out.data_segments + r.back.data_segments > 0;
    if (size_dir >= 0) {
      kind = "size_dependent_loss";
      parts.push_back(frag_txt);
      tail = f.icmp.frag_needed ? "size-dependent loss although the path announced its MTU"
                                : "size-dependent loss";
    } else if (f.syn_seen && !f.synack_seen && f.reset_to_syn) {
      kind = "reset";
      tail = "connection refused (nothing listens on " + r.server + ")";
    } else if (f.syn_seen && !f.synack_seen && f.icmp.host_unreachable + f.icmp.port_unreachable) {
      kind = "unreachable";
      tail = "destination unreachable";
    } else if (f.syn_seen && !f.synack_seen && !r.in_progress && !synack_missing) {
      kind = "syn_unanswered";
      tail = "SYNs lost or dropped silently";
    } else if (f.icmp.time_exceeded) {
      kind = "ttl_exceeded";
      tail = "TTL expired on the path (routing loop or TTL too low)";
    } else if (r.one_sided && has_data) {
      kind = "one_sided";
      tail = "one-sided capture: loss cannot be judged";
    } else if (r.control_only && has_data) {
      kind = "control_only";
      tail = "only SYN/FIN/RST packets captured (filtered capture): loss cannot be judged";
    } else if (v.unacked_segments > 0) {
      kind = "loss";
      tail = "data never acknowledged";
    } else if (rsts && !f.reset_to_syn) {
      kind = "reset";
      tail = r.back.resets ? "connection ended by a RST from the server"
                           : "connection ended by a RST from the client";
    } else if (zw) {
      kind = "zero_window";
      tail = "receiver stopped reading (zero window)";
    } else if (v.retransmits) {
      kind = "retransmits";
      tail = "retransmissions, all data delivered in the end";
    } else if (f.icmp.frag_needed) {
      kind = "frag_needed";
      parts.push_back(frag_txt);
      tail = "path MTU discovery at work";
    }
  } else if (f.proto == kProtoUdp) {
    parts.push_back(
        fmt::format("{} client->server, {} back", plural(f.dgrams[0], "datagram"), f.dgrams[1]));
    if (f.fragments) parts.push_back(plural(f.fragments, "IP fragment"));
    if (f.icmp.port_unreachable) {
      kind = "udp_port_unreachable";
      parts.push_back(
          fmt::format("{} answered by ICMP port unreachable{}", f.icmp.port_unreachable, who));
      tail = "nothing listens on " + r.server;
    } else if (f.icmp.host_unreachable) {
      kind = "unreachable";
      parts.push_back(fmt::format("{} ICMP host unreachable{}", f.icmp.host_unreachable, who));
      tail = "destination unreachable";
    } else if (f.icmp.time_exceeded) {
      kind = "ttl_exceeded";
      tail = "TTL expired on the path";
    } else if (f.icmp.frag_needed) {
      kind = "frag_needed";
      parts.push_back(frag_txt);
      tail = "datagrams above the path MTU";
    }
  } else {
    parts.push_back(fmt::format("{}, {} repl{}", plural(f.dgrams[0], "echo request"), f.dgrams[1],
                                f.dgrams[1] == 1 ? "y" : "ies"));
    if (f.dgrams[0] > 0 && f.dgrams[1] == 0) {
      kind = "echo_unanswered";
      tail = "no echo reply";
    } else if (f.icmp.host_unreachable) {
      kind = "unreachable";
      tail = "destination unreachable";
    }
  }
  std::string line;
  for (const auto& p : parts) line += (line.empty() ? "" : "; ") + p;
  if (!tail.empty()) line += ": " + tail;
  v.verdict = line;
  v.kind = kind;
  return r;
}

FlowAnalyser::FlowAnalyser(const AnalyserConfig& cfg) : impl_(std::make_unique<Impl>(cfg)) {}
FlowAnalyser::~FlowAnalyser() = default;

void FlowAnalyser::add_frame(int linktype, uint64_t ts_ns, const uint8_t* data, uint32_t caplen,
                             uint32_t wirelen) {
  auto& im = *impl_;
  ++im.stats.frames;
  if (!parse_packet(linktype, data, caplen, wirelen, im.scratch)) {
    ++im.stats.skipped[static_cast<size_t>(im.scratch.skip)];
    if (im.scratch.skip == SkipReason::fragment) im.on_fragment(im.scratch);
    return;
  }
  im.scratch.ts_ns = ts_ns;
  // Duplicates are recognised by identical bytes; that needs something that differs between
  // two real packets: the IPv4 ID (0 on unconnected DF datagrams), or payload (IPv6 has no ID;
  // its identical dup ACKs can arrive microseconds apart).
  const ParsedPacket& p = im.scratch;
  const uint32_t off = p.l3_offset;
  const bool hashable = p.t.family == 4 ? p.ip_id != 0 : p.payload_len > 0;
  im.add(p, hashable && off < caplen ? frame_hash(data + off, caplen - off, p.t.family) : 0);
}

void FlowAnalyser::add(const ParsedPacket& p) {
  ++impl_->stats.frames;
  impl_->add(p, 0);
}

const PacketStats& FlowAnalyser::stats() const {
  return impl_->stats;
}

CaptureAnalysis FlowAnalyser::finish() const {
  const auto& im = *impl_;
  CaptureAnalysis a;
  a.stats = im.stats;
  a.duration_s = im.last_ts > im.first_ts ? (im.last_ts - im.first_ts) / 1e9 : 0;
  std::vector<FlowReport> reports;
  reports.reserve(im.flows.size());
  for (uint32_t i = 0; i < im.flows.size(); ++i) reports.push_back(im.report(im.flows[i], i));
  // Sort indices, not the (large) reports.
  std::vector<std::pair<uint64_t, uint32_t>> order;
  order.reserve(reports.size());
  for (uint32_t i = 0; i < reports.size(); ++i) {
    const auto& x = reports[i];
    uint64_t packets = x.out.packets + x.back.packets + x.datagrams_out + x.datagrams_back;
    uint64_t rank = static_cast<uint64_t>(kind_rank(x.verdict.kind)) << 48;
    order.emplace_back(
        rank | ((uint64_t{1} << 48) - 1 - std::min(packets, (uint64_t{1} << 48) - 1)), i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  a.flows.reserve(reports.size());
  size_t traced = 0;
  for (const auto& [key, i] : order) {
    a.flows.push_back(std::move(reports[i]));
    if (traced < kMaxSeqTraces) {
      a.flows.back().seq_trace = im.seq_trace(im.flows[i], a.flows.back());
      traced += a.flows.back().seq_trace.has_value();
    }
  }
  a.seq_trace_budget_omitted = im.trace_budget.omitted;

  // Summary across flows.
  uint64_t tcp = 0, udp = 0, icmp = 0, hs_total = 0, hs_ok = 0;
  std::map<std::string, uint64_t> kinds;
  uint64_t sd_flows = 0, sd_lost = 0;
  uint32_t sd_threshold = 0, sd_min_lost = 0;
  bool sd_frag = false;
  for (const auto& f : a.flows) {
    if (f.proto == "tcp")
      ++tcp;
    else if (f.proto == "udp")
      ++udp;
    else
      ++icmp;
    if (f.handshake == "completed" || f.handshake == "not_completed" || f.handshake == "refused") {
      ++hs_total;
      if (f.handshake == "completed") ++hs_ok;
    }
    ++kinds[f.verdict.kind];
    if (f.verdict.kind == "size_dependent_loss") {
      ++sd_flows;
      sd_lost += f.verdict.unacked_segments;
      sd_threshold = std::max(sd_threshold, f.verdict.max_delivered_size);
      sd_min_lost =
          sd_min_lost ? std::min(sd_min_lost, f.verdict.min_lost_size) : f.verdict.min_lost_size;
      sd_frag = sd_frag || f.verdict.frag_needed_seen;
    }
  }
  std::vector<std::string> parts;
  parts.push_back(fmt::format("{} flow{} ({} tcp, {} udp, {} icmp)", a.flows.size(),
                              a.flows.size() == 1 ? "" : "s", tcp, udp, icmp));
  if (hs_total) parts.push_back(fmt::format("handshake {}/{} ok", hs_ok, hs_total));
  a.summary_kind = "ok";
  for (const auto& [k, n] : kinds)
    if (k != "ok" && (a.summary_kind == "ok" || kind_rank(k) < kind_rank(a.summary_kind)))
      a.summary_kind = k;
  for (const auto& [k, n] : kinds)
    if (k != "ok" && k != "size_dependent_loss")
      parts.push_back(fmt::format("{} {} flow{}", n, k, n == 1 ? "" : "s"));
  if (sd_flows) {
    if (sd_min_lost > sd_threshold)
      parts.push_back(
          fmt::format("0/{} data segments above {} bytes acknowledged", sd_lost, sd_threshold));
    parts.push_back(sd_frag ? "ICMP frag-needed seen" : "no ICMP frag-needed");
  }
  std::string line;
  for (const auto& p : parts) line += (line.empty() ? "" : "; ") + p;
  if (sd_flows)
    line += fmt::format(": size-dependent loss ({}/{} flows)", sd_flows, a.flows.size());
  else if (a.summary_kind == "ok")
    line += a.flows.empty() ? ": no IP traffic" : ": no loss seen";
  a.summary = line;

  const auto& s = im.stats;
  if (s.skipped_total()) {
    std::string why;
    for (int i = 1; i < kSkipReasonCount; ++i)
      if (s.skipped[i])
        why += fmt::format("{}{} {}", why.empty() ? "" : ", ", s.skipped[i],
                           to_string(static_cast<SkipReason>(i)));
    a.notes.push_back(
        fmt::format("{} of {} packets not analysed ({})", s.skipped_total(), s.frames, why));
  }
  if (s.duplicate_frames)
    a.notes.push_back(fmt::format(
        "the capture holds {} duplicated frame{} (the same IP packet, same IP ID, twice within "
        "{} ms: a mirrored port or two capture points); counted once, not as retransmissions",
        s.duplicate_frames, s.duplicate_frames == 1 ? "" : "s", kDuplicateWindowIdNs / 1'000'000));
  if (s.tunnelled)
    a.notes.push_back(
        fmt::format("{} packets decapsulated (VXLAN, Geneve, GRE, IP-in-IP, MPLS)", s.tunnelled));
  uint64_t one_sided = 0, control_only = 0, reordered = 0, keepalives = 0;
  for (const auto& f : a.flows) {
    one_sided += f.verdict.kind == "one_sided";
    control_only += f.verdict.kind == "control_only";
    reordered += f.out.reordered + f.back.reordered;
    keepalives += f.out.keepalives + f.back.keepalives;
  }
  if (one_sided)
    a.notes.push_back(fmt::format(
        "{} flow{} one-sided in this capture (one end's packets missing): loss cannot be judged "
        "there",
        one_sided, one_sided == 1 ? " is" : "s are"));
  if (control_only)
    a.notes.push_back(fmt::format(
        "{} flow{} only SYN/FIN/RST packets (a filtered capture): loss cannot be judged there",
        control_only, control_only == 1 ? " holds" : "s hold"));
  if (reordered)
    a.notes.push_back(fmt::format("{} segment{} arrived out of order (reordering, not loss)",
                                  reordered, reordered == 1 ? "" : "s"));
  if (keepalives)
    a.notes.push_back(fmt::format("{} TCP keep-alive{} (not retransmissions)", keepalives,
                                  keepalives == 1 ? "" : "s"));
  if (im.trace_budget.omitted)
    a.notes.push_back(fmt::format(
        "{} segments and ACKs left out of the sequence graphs: the capture-wide budget of {} "
        "recorded events was spent",
        im.trace_budget.omitted, im.cfg.max_trace_events));
  if (s.untracked)
    a.notes.push_back(fmt::format("{} packets of flows beyond the limit of {} not followed",
                                  s.untracked, im.cfg.max_flows));
  return a;
}

}  // namespace pktloss::capture
