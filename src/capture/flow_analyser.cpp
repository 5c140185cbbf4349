#include "capture/flow_analyser.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "capture/flow_table.h"

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

struct Dir {
  TcpDirStats st;
  bool isn_valid = false, snd_valid = false, ack_valid = false, last_valid = false;
  uint32_t isn = 0, snd_max = 0, max_ack = 0, last_ack = 0;
  uint16_t last_win = 0;
  uint32_t syn_size = 0;  // size of our SYN until the peer answers it
  uint64_t syn_ts = 0;    // when our first SYN was seen
  // Segments not yet cumulatively acknowledged, in sequence order, from `head`.
  std::vector<Seg> segs;
  size_t head = 0;
  bool has_outstanding() const { return head < segs.size(); }
};

struct Flow {
  bool client_is_a = true;
  uint8_t proto = 0, family = 0;
  uint64_t first_ts = 0, last_ts = 0;
  bool syn_seen = false, synack_seen = false, handshake_done = false, reset_to_syn = false;
  bool fin_seen = false;
  Dir d[2];
  uint64_t dgrams[2] = {0, 0};
  IcmpStats icmp;
  std::array<uint8_t, 16> reporter{};
  uint8_t reporter_family = 0;
};

void deliver(Dir& dir, Seg& s) {
  s.acked = true;
  ++dir.st.acked_segments;
  dir.st.max_delivered_size = std::max(dir.st.max_delivered_size, s.size);
}

// Which kinds matter most: problems first, in the order a user would chase them.
int kind_rank(const std::string& k) {
  static const char* order[] = {"size_dependent_loss",  "syn_unanswered",  "unreachable",
                                "udp_port_unreachable", "reset",           "loss",
                                "ttl_exceeded",         "echo_unanswered", "zero_window",
                                "retransmits",          "frag_needed",     "ok"};
  for (size_t i = 0; i < std::size(order); ++i)
    if (k == order[i]) return static_cast<int>(i);
  return static_cast<int>(std::size(order));
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

  explicit Impl(const AnalyserConfig& c) : cfg(c), table(1024) {}

  // Finds or creates the flow of tuple t; sets dir to 0 when t's sender is the client.
  Flow* lookup(const Tuple& t, uint64_t ts, bool sender_is_client_hint, int& dir) {
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
        flows.emplace_back();
        Flow& f = flows.back();
        f.client_is_a = sender_is_client_hint ? src_is_a : !src_is_a;
        f.proto = t.proto;
        f.family = t.family;
        f.first_ts = ts;
      }
      last_key = k;
      last_index = idx;
    }
    Flow& f = flows[idx];
    dir = (src_is_a == f.client_is_a) ? 0 : 1;
    if (ts > f.last_ts) f.last_ts = ts;
    return &f;
  }
  FlowKey last_key;
  uint32_t last_index = FlowTable::kNone;
  void on_tcp(Flow& f, int di, const ParsedPacket& p) {
    Dir& me = f.d[di];
    Dir& peer = f.d[1 - di];
    ++me.st.packets;
    me.st.max_sent_size = std::max(me.st.max_sent_size, p.ip_len);
    const uint8_t fl = p.tcp_flags;
    const bool syn = fl & tcpflag::kSyn, ack = fl & tcpflag::kAck, rst = fl & tcpflag::kRst;
    const bool fin = fl & tcpflag::kFin;
    if (rst) {
      ++me.st.resets;
      if (di == 1 && !f.synack_seen && f.syn_seen) f.reset_to_syn = true;
      // A RST answering a SYN proves the SYN arrived.
      if (peer.syn_size) {
        peer.st.max_delivered_size = std::max(peer.st.max_delivered_size, peer.syn_size);
        peer.syn_size = 0;
      }
    }
    if (syn && !rst) {
      if (me.st.syns++ == 0) me.syn_ts = p.ts_ns;
      me.isn = p.seq;
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
      if (di == 0 && !syn && f.synack_seen && peer.isn_valid && a == peer.isn + 1)
        f.handshake_done = true;
      const bool pure = p.payload_len == 0 && !(fl & (tcpflag::kSyn | tcpflag::kFin));
      if (pure && me.last_valid && a == me.last_ack && p.window == me.last_win &&
          peer.has_outstanding())
        ++me.st.dup_acks;
      me.last_ack = a;
      me.last_win = p.window;
      me.last_valid = true;
      if (!me.ack_valid || seq_after(a, me.max_ack)) {
        me.max_ack = a;
        me.ack_valid = true;
        while (peer.head < peer.segs.size() && !seq_after(peer.segs[peer.head].end, a)) {
          Seg& s = peer.segs[peer.head++];
          if (!s.acked) deliver(peer, s);
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
    if (fin) f.fin_seen = true;
    const uint32_t len = p.payload_len + (fin ? 1 : 0);
    if (len == 0 || syn || rst) return;
    const uint32_t start = p.seq, end = p.seq + len;
    if (!me.snd_valid) {
      me.snd_max = start;
      me.snd_valid = true;
    }
    if (!seq_after(end, me.snd_max) || seq_before(start, me.snd_max)) {
      ++me.st.retransmits;
      auto seg = std::partition_point(me.segs.begin() + static_cast<long>(me.head), me.segs.end(),
                                      [start](const Seg& s) { return !seq_after(s.end, start); });
      if (seg != me.segs.end() && !seq_after(seg->seq, start) && seg->tx < UINT16_MAX) ++seg->tx;
      if (!seq_after(end, me.snd_max)) return;
    }
    // New data (from snd_max on when it overlaps what was sent before).
    const uint32_t new_start = seq_before(start, me.snd_max) ? me.snd_max : start;
    me.snd_max = end;
    ++me.st.data_segments;
    if (me.segs.size() - me.head >= cfg.max_tracked_segments) {
      ++me.st.untracked_segments;
      return;
    }
    me.segs.push_back(Seg{new_start, end, p.ip_len, 1, false, p.ts_ns});
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

  void add(const ParsedPacket& p) {
    ++stats.analysed;
    if (first_ts == 0 || p.ts_ns < first_ts) first_ts = p.ts_ns;
    if (p.ts_ns > last_ts) last_ts = p.ts_ns;
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
    if (p.t.proto == kProtoTcp) {
      bool synack =
          (p.tcp_flags & (tcpflag::kSyn | tcpflag::kAck)) == (tcpflag::kSyn | tcpflag::kAck);
      bool plain_syn = (p.tcp_flags & (tcpflag::kSyn | tcpflag::kAck)) == tcpflag::kSyn;
      // Mid-flow: the side on a well-known port is the server.
      client_hint = plain_syn || (!synack && !(p.t.sport < 1024 && p.t.dport >= 1024));
    } else if (p.icmp_echo_reply) {
      client_hint = false;
    } else if (p.t.proto == kProtoUdp) {
      client_hint = !(p.t.sport < 1024 && p.t.dport >= 1024);
    }
    int di = 0;
    Flow* f = lookup(p.t, p.ts_ns, client_hint, di);
    if (!f) return;
    if (p.t.proto == kProtoTcp)
      on_tcp(*f, di, p);
    else
      ++f->dgrams[di];
  }

  FlowReport report(const Flow& f, uint32_t index) const;
};

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
  // Outstanding segments: lost when retransmitted or old enough, else still in flight.
  TcpDirStats* st[2] = {&r.out, &r.back};
  for (int di = 0; di < 2; ++di) {
    const Dir& d = f.d[di];
    *st[di] = d.st;
    for (size_t i = d.head; i < d.segs.size(); ++i) {
      const Seg& s = d.segs[i];
      if (s.acked) continue;
      if (s.tx > 1 || last_ts - s.ts >= cfg.in_flight_grace_ns) {
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
    if (r.in_progress) {
      parts.push_back(f.synack_seen ? "handshake under way as the capture ended"
                                    : "SYN sent as the capture ended, no answer yet");
    } else if (f.syn_seen) {
      if (f.handshake_done)
        parts.push_back("handshake 1/1 ok");
      else if (f.reset_to_syn)
        parts.push_back("handshake 0/1: SYN answered by RST");
      else if (f.synack_seen)
        parts.push_back("handshake 0/1: SYN-ACK never acknowledged");
      else
        parts.push_back(fmt::format("handshake 0/1: {} SYN{} unanswered", r.out.syns,
                                    r.out.syns == 1 ? "" : "s"));
    } else {
      parts.push_back("no handshake seen (capture began mid-flow)");
    }
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
        if (s.retransmits) line += fmt::format(", {} retransmissions", s.retransmits);
        if (s.unacked_segments) line += fmt::format(", {} never acknowledged", s.unacked_segments);
        if (s.in_flight_segments)
          line += fmt::format(", {} in flight at the end", s.in_flight_segments);
        parts.push_back(line);
      }
    }
    uint64_t dups = r.out.dup_acks + r.back.dup_acks;
    uint64_t zw = r.out.zero_windows + r.back.zero_windows;
    uint64_t rsts = r.out.resets + r.back.resets;
    if (dups) parts.push_back(fmt::format("{} duplicate ACKs", dups));
    if (zw) parts.push_back(fmt::format("{} zero-window advertisements", zw));
    if (rsts && !f.reset_to_syn) parts.push_back(fmt::format("{} RST", rsts));
    if (f.icmp.port_unreachable + f.icmp.host_unreachable)
      parts.push_back(fmt::format("{} ICMP unreachable{}",
                                  f.icmp.port_unreachable + f.icmp.host_unreachable, who));
    if (f.icmp.time_exceeded)
      parts.push_back(fmt::format("{} ICMP time exceeded{}", f.icmp.time_exceeded, who));

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
    } else if (f.syn_seen && !f.synack_seen && !r.in_progress) {
      kind = "syn_unanswered";
      tail = "SYNs lost or dropped silently";
    } else if (f.icmp.time_exceeded) {
      kind = "ttl_exceeded";
      tail = "TTL expired on the path (routing loop or TTL too low)";
    } else if (v.unacked_segments > 0) {
      kind = "loss";
      tail = "data never acknowledged";
    } else if (rsts && !f.reset_to_syn) {
      kind = "reset";
      tail = "connection reset";
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
    parts.push_back(fmt::format("{} datagrams client->server, {} back", f.dgrams[0], f.dgrams[1]));
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
    parts.push_back(fmt::format("{} echo requests, {} replies", f.dgrams[0], f.dgrams[1]));
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
    return;
  }
  im.scratch.ts_ns = ts_ns;
  im.add(im.scratch);
}

void FlowAnalyser::add(const ParsedPacket& p) {
  ++impl_->stats.frames;
  impl_->add(p);
}

const PacketStats& FlowAnalyser::stats() const {
  return impl_->stats;
}

std::vector<FlowVerdict> CaptureAnalysis::verdicts() const {
  std::vector<FlowVerdict> v;
  v.reserve(flows.size());
  for (const auto& f : flows) v.push_back(f.verdict);
  return v;
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
  for (const auto& [key, i] : order) a.flows.push_back(std::move(reports[i]));

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
    if (f.proto == "tcp" && f.syn_seen && !f.in_progress) {
      ++hs_total;
      if (f.handshake_done) ++hs_ok;
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
    if (k != "ok" && k != "size_dependent_loss") parts.push_back(fmt::format("{} {}", n, k));
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
  if (s.untracked)
    a.notes.push_back(fmt::format("{} packets of flows beyond the limit of {} not followed",
                                  s.untracked, im.cfg.max_flows));
  return a;
}

}  // namespace pktloss::capture
