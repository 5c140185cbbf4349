#include "rules/capture_rules.h"

#include "model/finding_kind.h"
#include "rules/netns_prefix.h"
#include "util/shell_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace pktloss {
namespace {

// "10.77.0.2:80" -> "10.77.0.2", "[2001:db8::2]:80" -> "2001:db8::2".
std::string host_of(const std::string& endpoint) {
  if (!endpoint.empty() && endpoint[0] == '[') return endpoint.substr(1, endpoint.find(']') - 1);
  auto colon = endpoint.rfind(':');
  return colon == std::string::npos ? endpoint : endpoint.substr(0, colon);
}
std::string port_of(const std::string& endpoint) {
  auto colon = endpoint.rfind(':');
  return colon == std::string::npos ? "" : endpoint.substr(colon + 1);
}
bool is_v6(const std::string& host) {
  return host.find(':') != std::string::npos;
}

struct Group {
  std::vector<const FlowReport*> flows;
};

// Evidence from packets reads as what was seen ("3 segments never acknowledged: tcp a -> b:
// ..."), not as a counter moving: a capture has no "before".
Evidence flow_evidence(const FlowReport& f, const char* what, uint64_t value) {
  Evidence e;
  e.source = "pcap";
  e.text = fmt::format("{} {}{}: {}: {}", value, what, value == 1 ? "" : "s", f.verdict.flow,
                       f.verdict.verdict);
  e.in_window = value > 0;  // seen on the wire during the capture
  return e;
}

Finding base(const std::string& id, Layer layer, Severity sev, const CaptureContext& ctx,
             const std::string& object) {
  Finding f;
  f.id = id;
  f.layer = layer;
  f.severity = sev;
  f.netns = ctx.netns;
  f.object = object;
  f.moved_in_window = true;
  return f;
}

}  // namespace

std::vector<Finding> findings_from_capture(const CaptureAnalysis& analysis,
                                           const CaptureContext& ctx) {
  // kind -> server (host or endpoint) -> flows
  std::map<std::string, std::map<std::string, Group>> groups;
  for (const auto& f : analysis.flows) {
    const std::string& k = f.verdict.kind;
    bool by_host = k == "size_dependent_loss" || k == "unreachable";
    groups[k][by_host ? host_of(f.server) : f.server].flows.push_back(&f);
  }
  std::vector<Finding> out;
  const std::string dev = ctx.iface.empty() ? "" : " dev " + quote_arg(ctx.iface);
  // A saved file was captured somewhere we do not know: no prefix, and no advice that only
  // makes sense on the live host (tracing it, listing its sockets).
  const bool file = ctx.from_file || ctx.netns == "file";
  const std::string ns_exec = file ? "" : netns_prefix(ctx.netns);

  for (const auto& [server, g] : groups["size_dependent_loss"]) {
    uint32_t ok = 0, lost = UINT32_MAX, announced = 0, biggest = 0;
    uint64_t unacked = 0;
    for (const auto* f : g.flows) {
      ok = std::max(ok, f->verdict.max_delivered_size);
      lost = std::min(lost, f->verdict.min_lost_size);
      biggest = std::max({biggest, f->out.max_lost_size, f->back.max_lost_size});
      unacked += f->verdict.unacked_segments;
      if (f->icmp.frag_needed_mtu) announced = f->icmp.frag_needed_mtu;
    }
    bool frag = announced > 0;
    Finding x =
        base(kinds::ip_pmtu_blackhole.id, Layer::ip, Severity::critical, ctx, "path to " + server);
    x.confidence = g.flows.size() >= 3 ? 0.95 : 0.85;
    x.volume = unacked;  // packets lost; retransmissions are the same packets again
    x.summary = fmt::format(
        "packets above {} bytes toward {} never arrive ({} flows, {} segments lost, smallest {} "
        "B){}",
        ok, server, g.flows.size(), unacked, lost,
        frag ? fmt::format("; ICMP frag-needed announced MTU {} yet loss went on", announced)
             : "; no ICMP frag-needed comes back");
    for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
      x.evidence.push_back(flow_evidence(*g.flows[i], "segment never acknowledged",
                                         g.flows[i]->verdict.unacked_segments));
    x.explanation = fmt::format(
        "Segments up to {} bytes are acknowledged and every segment of {} bytes or more is "
        "retransmitted and never acknowledged. A hop between here and {} has an MTU below {} "
        "and drops bigger packets{}. Where a veth's peer has the smaller MTU the frames vanish "
        "without any ICMP.",
        ok, lost, server, lost,
        frag ? " (an ICMP frag-needed arrived, but the sender kept sending big packets)"
             : " silently: path MTU discovery cannot work without the ICMP frag-needed");
    uint32_t lock = frag ? announced : ok;
    const char* ping = is_v6(server) ? "ping -6" : "ping";
    uint32_t ip_hdr = is_v6(server) ? 48 : 28;
    if (ok > ip_hdr)
      x.fix.push_back(fmt::format("{}{} -c 2 -M do -s {} {}   # passes (largest delivered size)",
                                  ns_exec, ping, ok - ip_hdr, server));
    if (lost > ip_hdr)
      x.fix.push_back(fmt::format("{}{} -c 2 -M do -s {} {}   # fails (smallest lost size)",
                                  ns_exec, ping, lost - ip_hdr, server));
    x.fix.push_back(fmt::format("{}ip route replace {}{} mtu lock {}", ns_exec, server, dev, lock));
    x.fix.push_back(fmt::format(
        "# or raise the MTU of the hop that drops them to at least {} (ip link set dev <that "
        "link> mtu {})",
        biggest ? biggest : lost, biggest ? biggest : lost));
    out.push_back(std::move(x));
  }

  for (const auto& [server, g] : groups["syn_unanswered"]) {
    uint64_t syns = 0;
    for (const auto* f : g.flows) syns += f->out.syns;
    Finding x = base(kinds::transport_syn_failures.id, Layer::transport, Severity::warning, ctx,
                     "tcp " + server);
    x.confidence = 0.8;
    x.volume = syns;
    x.summary = fmt::format("{} SYNs to {} in {} connection attempts got no answer", syns, server,
                            g.flows.size());
    for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
      x.evidence.push_back(flow_evidence(*g.flows[i], "SYN", g.flows[i]->out.syns));
    x.explanation =
        "Neither a SYN-ACK nor a RST nor an ICMP error came back: the SYNs or the answers are "
        "dropped silently (a DROP rule, a blackhole route, a full queue on the way).";
    if (!file)
      x.fix.push_back(
          fmt::format("{}pktloss trace --host {} --port {} -d 10   # which kernel "
                      "function drops them, and why",
                      ns_exec, host_of(server), port_of(server)));
    out.push_back(std::move(x));
  }

  for (const auto& [server, g] : groups["reset"]) {
    uint64_t refused = 0, resets = 0;
    for (const auto* f : g.flows) {
      refused += f->reset_to_syn;
      resets += f->out.resets + f->back.resets;
    }
    if (refused) {
      Finding x = base(kinds::transport_no_listener.id, Layer::transport, Severity::warning, ctx,
                       "tcp " + server);
      x.confidence = 0.9;
      x.volume = refused;
      x.summary = fmt::format("{} connection attempts to {} answered by RST: nothing listens",
                              refused, server);
      for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
        x.evidence.push_back(flow_evidence(*g.flows[i], "RST", g.flows[i]->back.resets));
      x.explanation = "The server host answers the SYN with a RST: no socket listens on port " +
                      port_of(server) + " (or a REJECT --reject-with tcp-reset rule).";
      x.fix.push_back(file ? "start the service on " + server + " or connect to the right port"
                           : "ss -ltnp 'sport = :" + port_of(server) + "'   # on " +
                                 host_of(server) + ": start the service or use the right port");
      out.push_back(std::move(x));
    } else {
      Finding x = base(kinds::transport_retransmits.id, Layer::transport, Severity::info, ctx,
                       "tcp " + server);
      x.confidence = 0.5;
      x.volume = resets;
      x.summary = fmt::format("{} connection{} to {} ended by a RST", g.flows.size(),
                              g.flows.size() == 1 ? "" : "s", server);
      for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
        x.evidence.push_back(
            flow_evidence(*g.flows[i], "RST", g.flows[i]->out.resets + g.flows[i]->back.resets));
      x.explanation =
          "One end closed the connection with a RST (an application abort, a timeout, or a "
          "RST answering data after close). The RST itself shows the other end's packets "
          "arrived; it is not packet loss.";
      out.push_back(std::move(x));
    }
  }

  for (const auto& [server, g] : groups["udp_port_unreachable"]) {
    uint64_t n = 0;
    for (const auto* f : g.flows) n += f->icmp.port_unreachable;
    Finding x = base(kinds::transport_udp_no_port.id, Layer::transport, Severity::warning, ctx,
                     "udp " + server);
    x.confidence = 0.9;
    x.volume = n;
    x.summary = fmt::format("{} UDP datagrams to {} answered by ICMP port unreachable", n, server);
    for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
      x.evidence.push_back(
          flow_evidence(*g.flows[i], "ICMP port unreachable", g.flows[i]->icmp.port_unreachable));
    x.explanation = "Nothing listens on UDP port " + port_of(server) + " at " + host_of(server) +
                    "; the host answers each datagram with ICMP port unreachable.";
    x.fix.push_back(file ? "start the service on " + server + " or send to the right port"
                         : "ss -lunp 'sport = :" + port_of(server) + "'   # on " + host_of(server) +
                               ": start the service or send to the right port");
    out.push_back(std::move(x));
  }

  for (const auto& [server, g] : groups["unreachable"]) {
    uint64_t n = 0;
    for (const auto* f : g.flows) n += f->icmp.host_unreachable + f->icmp.port_unreachable;
    Finding x = base(kinds::ip_no_route.id, Layer::ip, Severity::warning, ctx, server);
    x.confidence = 0.8;
    x.volume = n;
    x.summary =
        fmt::format("{} answered with ICMP destination unreachable ({} times{})", server, n,
                    g.flows[0]->icmp.reporter.empty() ? "" : ", from " + g.flows[0]->icmp.reporter);
    for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
      x.evidence.push_back(
          flow_evidence(*g.flows[i], "ICMP unreachable",
                        g.flows[i]->icmp.host_unreachable + g.flows[i]->icmp.port_unreachable));
    x.explanation = "A router or the destination host says it cannot deliver to this address.";
    if (!file) x.fix.push_back(ns_exec + "ip route get " + host_of(server));
    out.push_back(std::move(x));
  }

  for (const auto& [server, g] : groups["loss"]) {
    uint64_t unacked = 0, retrans = 0;
    for (const auto* f : g.flows) {
      unacked += f->verdict.unacked_segments;
      retrans += f->verdict.retransmits;
    }
    Finding x = base(kinds::transport_retransmits.id, Layer::transport, Severity::warning, ctx,
                     "tcp " + server);
    x.confidence = 0.7;
    x.volume = unacked;  // lost segments; their retransmissions are not counted again
    x.summary = fmt::format(
        "{} data segment{} to/from {} never acknowledged although sent again "
        "({} retransmission{})",
        unacked, unacked == 1 ? "" : "s", server, retrans, retrans == 1 ? "" : "s");
    for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
      x.evidence.push_back(flow_evidence(*g.flows[i], "segment never acknowledged",
                                         g.flows[i]->verdict.unacked_segments));
    x.explanation =
        "The sender retransmitted these segments for longer than a retransmission timeout and "
        "no acknowledgement came back: segments of every size are lost on the path.";
    if (!file)
      x.fix.push_back(fmt::format("{}pktloss trace --host {} --port {} -d 10", ns_exec,
                                  host_of(server), port_of(server)));
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace pktloss
