#pragma once
// Helpers for capture tests: build TCP conversations packet by packet and write them as pcap
// files with libpcap (pcap_open_dead + pcap_dump_open), then analyse them like a user would.
#include <unistd.h>

#include <string>
#include <vector>

#include "capture/flow_analyser.h"
#include "capture/packet_builder.h"
#include "capture/packet_parser.h"
#include "capture/pcap_io.h"

namespace pktloss::capture::testutil {

struct Frame {
  uint64_t ts_ns;
  Bytes ip;
};

// One TCP connection between a client and a server; each call appends a packet 1 ms later.
class TcpConv {
 public:
  TcpConv(std::vector<Frame>& out, std::string c, std::string s, uint16_t cport = 40000,
          uint16_t sport = 80, uint32_t cisn = 1000, uint32_t sisn = 5000)
      : out_(out),
        c_(std::move(c)),
        s_(std::move(s)),
        cport_(cport),
        sport_(sport),
        cseq_(cisn),
        sseq_(sisn) {}

  void syn(uint16_t mss = 1460) { emit(true, cseq_, 0, tcpflag::kSyn, 0, mss); }
  void synack(uint16_t mss = 1460) {
    emit(false, sseq_, cseq_ + 1, tcpflag::kSyn | tcpflag::kAck, 0, mss);
  }
  void rst_to_syn() { emit(false, 0, cseq_ + 1, tcpflag::kRst | tcpflag::kAck, 0, 0); }
  void handshake(uint16_t server_mss = 1460) {
    syn();
    synack(server_mss);
    cseq_ += 1;
    sseq_ += 1;
    ack_from_client();
  }
  // Data from the client: returns the sequence number it started at.
  uint32_t client_data(uint32_t len) {
    uint32_t at = cseq_;
    emit(true, cseq_, sseq_, tcpflag::kAck | tcpflag::kPsh, len, 0);
    cseq_ += len;
    return at;
  }
  // A timeout retransmission: 300 ms later (above Linux's 200 ms minimum RTO).
  void client_retransmit(uint32_t at, uint32_t len) {
    advance_ms(300);
    emit(true, at, sseq_, tcpflag::kAck | tcpflag::kPsh, len, 0);
  }
  // Raw control over one packet from either side.
  void client_packet(uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len) {
    emit(true, seq, ack, flags, len, 0);
  }
  void server_packet(uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len,
                     uint16_t window = 65535) {
    emit(false, seq, ack, flags, len, 0, window);
  }
  void client_fin() {
    emit(true, cseq_, sseq_, tcpflag::kFin | tcpflag::kAck, 0, 0);
    cseq_ += 1;
  }
  void server_fin() {
    emit(false, sseq_, cseq_, tcpflag::kFin | tcpflag::kAck, 0, 0);
    sseq_ += 1;
  }
  void server_rst() { emit(false, sseq_, cseq_, tcpflag::kRst | tcpflag::kAck, 0, 0); }
  uint32_t server_seq() const { return sseq_; }
  uint32_t server_data(uint32_t len) {
    uint32_t at = sseq_;
    emit(false, sseq_, cseq_, tcpflag::kAck | tcpflag::kPsh, len, 0);
    sseq_ += len;
    return at;
  }
  void ack_from_server(uint32_t ack, uint16_t window = 65535) {
    emit(false, sseq_, ack, tcpflag::kAck, 0, 0, window);
  }
  void ack_from_server() { ack_from_server(cseq_); }
  void ack_from_client() { emit(true, cseq_, sseq_, tcpflag::kAck, 0, 0); }
  void sack_from_server(uint32_t ack, uint32_t l, uint32_t r) {
    TcpSpec t{s_, c_, sport_, cport_, sseq_, ack, tcpflag::kAck, 65535, 0, 0, {{l, r}}};
    push(make_tcp(t));
  }
  uint32_t client_seq() const { return cseq_; }
  void advance_ms(uint64_t ms) { now_ += ms * 1'000'000; }
  uint64_t& clock() { return now_; }

 private:
  void emit(bool from_client, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len, uint16_t mss,
            uint16_t window = 65535) {
    TcpSpec t;
    t.src = from_client ? c_ : s_;
    t.dst = from_client ? s_ : c_;
    t.sport = from_client ? cport_ : sport_;
    t.dport = from_client ? sport_ : cport_;
    t.seq = seq;
    t.ack = ack;
    t.flags = flags;
    t.payload = len;
    t.mss = mss;
    t.window = window;
    push(make_tcp(t));
  }
  void push(Bytes b) {
    now_ += 1'000'000;
    out_.push_back(Frame{now_, std::move(b)});
  }

  std::vector<Frame>& out_;
  std::string c_, s_;
  uint16_t cport_, sport_;
  uint32_t cseq_, sseq_;
  uint64_t now_ = 1'700'000'000ull * 1'000'000'000ull;
};

inline std::string temp_path(const std::string& name) {
  return "/tmp/pktloss_test_" + std::to_string(getpid()) + "_" + name;
}

// Writes frames (sorted by time) to a pcap file of the given link type.
inline void write_frames(const std::string& path, std::vector<Frame> frames,
                         int linktype = kLinkEthernet, int snaplen = 262144) {
  std::stable_sort(frames.begin(), frames.end(),
                   [](const Frame& a, const Frame& b) { return a.ts_ns < b.ts_ns; });
  PcapWriter w(path, linktype, snaplen);
  for (const auto& f : frames) {
    Bytes l = wrap_link(linktype, f.ip);
    w.write(f.ts_ns, l.data(), static_cast<uint32_t>(l.size()), static_cast<uint32_t>(l.size()));
  }
}

// Writes, reads back through libpcap and analyses.
inline CaptureAnalysis analyse_frames(const std::vector<Frame>& frames,
                                      int linktype = kLinkEthernet,
                                      const std::string& name = "conv.pcap") {
  std::string path = temp_path(name);
  write_frames(path, frames, linktype);
  FlowAnalyser a;
  read_capture_file(path, a);
  unlink(path.c_str());
  return a.finish();
}

}  // namespace pktloss::capture::testutil
