#include "render/capture_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace pktloss {
namespace {

void str(std::string& out, const std::string& s) {
  // Bytes above ASCII (a file or device name that is not UTF-8): nlohmann checks the encoding
  // and writes U+FFFD for what is not UTF-8, so the document stays valid JSON.
  for (unsigned char c : s)
    if (c >= 0x80) {
      out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20)
          out += fmt::format("\\u{:04x}", c);
        else
          out += static_cast<char>(c);
    }
  }
  out += '"';
}

// Writes "key":value pairs with commas between them.
class Obj {
 public:
  explicit Obj(std::string& out) : out_(out) { out_ += '{'; }
  ~Obj() { out_ += '}'; }
  Obj(const Obj&) = delete;
  Obj& operator=(const Obj&) = delete;
  std::string& key(const char* k) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += k;
    out_ += "\":";
    return out_;
  }
  void num(const char* k, uint64_t v) { fmt::format_to(std::back_inserter(key(k)), "{}", v); }
  void dbl(const char* k, double v) { fmt::format_to(std::back_inserter(key(k)), "{}", v); }
  void boolean(const char* k, bool v) { key(k) += v ? "true" : "false"; }
  void text(const char* k, const std::string& v) { str(key(k), v); }

 private:
  std::string& out_;
  bool first_ = true;
};

void dir_json(std::string& out, const TcpDirStats& d) {
  Obj o(out);
  o.num("packets", d.packets);
  o.num("syns", d.syns);
  o.num("data_segments", d.data_segments);
  o.num("acked_segments", d.acked_segments);
  o.num("unacked_segments", d.unacked_segments);
  o.num("in_flight_segments", d.in_flight_segments);
  o.num("retransmits", d.retransmits);
  o.num("reordered", d.reordered);
  o.num("keepalives", d.keepalives);
  o.num("acked_not_captured", d.acked_unseen);
  o.num("dup_acks", d.dup_acks);
  o.num("zero_windows", d.zero_windows);
  o.num("resets", d.resets);
  o.num("max_delivered_size", d.max_delivered_size);
  o.num("min_lost_size", d.min_lost_size);
  o.num("max_sent_size", d.max_sent_size);
  o.num("mss", d.mss);
}

void flow_json(std::string& out, const FlowReport& f) {
  Obj j(out);
  j.text("flow", f.verdict.flow);
  j.text("kind", f.verdict.kind);
  j.text("verdict", f.verdict.verdict);
  j.text("proto", f.proto);
  j.text("client", f.client);
  j.text("server", f.server);
  j.dbl("duration_s", (f.last_ts_ns - f.first_ts_ns) / 1e9);
  if (f.proto == "tcp") {
    {
      // "completed" only when the whole handshake was captured, as the text says.
      Obj h(j.key("handshake"));
      h.text("state", f.handshake);
      h.boolean("syn", f.syn_seen);
      h.boolean("syn_ack", f.synack_seen);
      h.boolean("completed", f.handshake == "completed");
      h.boolean("reset_to_syn", f.reset_to_syn);
    }
    j.boolean("one_sided", f.one_sided);
    j.boolean("control_only", f.control_only);
    j.dbl("rtt_ms", f.rtt_ns / 1e6);
    dir_json(j.key("client_to_server"), f.out);
    dir_json(j.key("server_to_client"), f.back);
  } else {
    j.num("datagrams_client_to_server", f.datagrams_out);
    j.num("datagrams_server_to_client", f.datagrams_back);
  }
  {
    Obj i(j.key("icmp"));
    i.num("frag_needed", f.icmp.frag_needed);
    i.num("frag_needed_mtu", f.icmp.frag_needed_mtu);
    i.num("port_unreachable", f.icmp.port_unreachable);
    i.num("host_unreachable", f.icmp.host_unreachable);
    i.num("time_exceeded", f.icmp.time_exceeded);
    i.text("reporter", f.icmp.reporter);
  }
  if (!f.tunnel.empty()) j.text("tunnel", f.tunnel);
  if (f.generation) j.num("connection_on_tuple", f.generation + 1);
  if (f.duplicates) j.num("duplicate_frames", f.duplicates);
  if (f.fragments) j.num("fragments", f.fragments);
}

}  // namespace

void append_capture_json(std::string& out, const CaptureAnalysis& a, const std::string& source) {
  static const char* kSkip[] = {
      "none", "truncated", "bad_header", "not_ip", "unsupported_link", "fragment", "other_proto"};
  static_assert(std::size(kSkip) == kCaptureSkipReasons);
  out.reserve(out.size() + 200 + a.flows.size() * 900);
  Obj c(out);
  c.text("source", source);
  c.text("summary", a.summary);
  c.text("kind", a.summary_kind);
  c.dbl("duration_s", a.duration_s);
  {
    Obj p(c.key("packets"));
    p.num("frames", a.stats.frames);
    p.num("analysed", a.stats.analysed);
    {
      Obj s(p.key("skipped"));
      for (int i = 1; i < kCaptureSkipReasons; ++i) s.num(kSkip[i], a.stats.skipped[i]);
    }
    p.num("untracked", a.stats.untracked);
    p.num("icmp_unmatched", a.stats.icmp_unmatched);
    p.num("icmp_other", a.stats.icmp_other);
    p.num("duplicate_frames", a.stats.duplicate_frames);
    p.num("tunnelled", a.stats.tunnelled);
  }
  std::string& f = c.key("flows");
  f += '[';
  for (size_t i = 0; i < a.flows.size(); ++i) {
    if (i) f += ',';
    flow_json(f, a.flows[i]);
  }
  f += ']';
}

}  // namespace pktloss
