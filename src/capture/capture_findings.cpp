#include "capture/capture_findings.h"

#include "rules/netns_prefix.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace pktloss::capture {
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

Evidence flow_evidence(const FlowReport& f, const std::string& counter, uint64_t value) {
  Evidence e;
  e.source = "pcap";
  e.text = f.verdict.flow + ": " + f.verdict.verdict;
  e.counter = counter;
  e.after = value;
  e.delta = value;
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
  // Interface names may hold shell bytes ('$'): quoted like every fix argument.
  const std::string dev = ctx.iface.empty() ? "" : " dev " + quote_arg(ctx.iface);
  // A saved file ("file") was captured somewhere we do not know: no prefix.
  const std::string ns_exec = ctx.netns == "file" ? "" : netns_prefix(ctx.netns);

  for (const auto& [server, g] : groups["size_dependent_loss"]) {
    uint32_t ok = 0, lost = UINT32_MAX, announced = 0, biggest = 0;
    uint64_t unacked = 0, retrans = 0;
    for (const auto* f : g.flows) {
      ok = std::max(ok, f->verdict.max_delivered_size);
      lost = std::min(lost, f->verdict.min_lost_size);
      biggest = std::max({biggest, f->out.max_lost_size, f->back.max_lost_size});
      unacked += f->verdict.unacked_segments;
      retrans += f->verdict.retransmits;
      if (f->icmp.frag_needed_mtu) announced = f->icmp.frag_needed_mtu;
    }
    bool frag = announced > 0;
    Finding x = base("ip.pmtu_blackhole", Layer::ip, Severity::critical, ctx, "path to " + server);
    x.confidence = g.flows.size() >= 3 ? 0.95 : 0.85;
    x.volume = unacked + retrans;
    x.summary = fmt::format(
        "packets above {} bytes toward {} never arrive ({} flows, {} segments lost, smallest {} "
        "B){}",
        ok, server, g.flows.size(), unacked, lost,
        frag ? fmt::format("; ICMP frag-needed announced MTU {} yet loss went on", announced)
             : "; no ICMP frag-needed comes back");
    for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
      x.evidence.push_back(
          flow_evidence(*g.flows[i], "unacked_segments", g.flows[i]->verdict.unacked_segments));
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
    Finding x =
        base("transport.syn_failures", Layer::transport, Severity::warning, ctx, "tcp " + server);
    x.confidence = 0.8;
    x.volume = syns;
    x.summary = fmt::format("{} SYNs to {} in {} connection attempts got no answer", syns, server,
                            g.flows.size());
    for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
      x.evidence.push_back(flow_evidence(*g.flows[i], "syns", g.flows[i]->out.syns));
    x.explanation =
        "Neither a SYN-ACK nor a RST nor an ICMP error came back: the SYNs or the answers are "
        "dropped silently (a DROP rule, a blackhole route, a full queue on the way).";
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
      Finding x =
          base("transport.no_listener", Layer::transport, Severity::warning, ctx, "tcp " + server);
      x.confidence = 0.9;
      x.volume = refused;
      x.summary = fmt::format("{} connection attempts to {} answered by RST: nothing listens",
                              refused, server);
      for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
        x.evidence.push_back(flow_evidence(*g.flows[i], "resets", g.flows[i]->back.resets));
      x.explanation = "The server host answers the SYN with a RST: no socket listens on port " +
                      port_of(server) + " (or a REJECT --reject-with tcp-reset rule).";
      x.fix.push_back("ss -ltnp 'sport = :" + port_of(server) + "'   # on " + host_of(server) +
                      ": start the service or use the right port");
      out.push_back(std::move(x));
    } else {
      Finding x =
          base("transport.retransmits", Layer::transport, Severity::info, ctx, "tcp " + server);
      x.confidence = 0.5;
      x.volume = resets;
      x.summary = fmt::format("{} connections to {} were reset", g.flows.size(), server);
      for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
        x.evidence.push_back(flow_evidence(*g.flows[i], "resets", resets));
      x.explanation = "A RST ended established connections; data in flight is lost with them.";
      out.push_back(std::move(x));
    }
  }

  for (const auto& [server, g] : groups["udp_port_unreachable"]) {
    uint64_t n = 0;
    for (const auto* f : g.flows) n += f->icmp.port_unreachable;
    Finding x =
        base("transport.udp_no_port", Layer::transport, Severity::warning, ctx, "udp " + server);
    x.confidence = 0.9;
    x.volume = n;
    x.summary = fmt::format("{} UDP datagrams to {} answered by ICMP port unreachable", n, server);
    for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
      x.evidence.push_back(
          flow_evidence(*g.flows[i], "icmp_port_unreachable", g.flows[i]->icmp.port_unreachable));
    x.explanation = "Nothing listens on UDP port " + port_of(server) + " at " + host_of(server) +
                    "; the host answers each datagram with ICMP port unreachable.";
    x.fix.push_back("ss -lunp 'sport = :" + port_of(server) + "'   # on " + host_of(server) +
                    ": start the service or send to the right port");
    out.push_back(std::move(x));
  }

  for (const auto& [server, g] : groups["unreachable"]) {
    uint64_t n = 0;
    for (const auto* f : g.flows) n += f->icmp.host_unreachable + f->icmp.port_unreachable;
    Finding x = base("ip.no_route", Layer::ip, Severity::warning, ctx, server);
    x.confidence = 0.8;
    x.volume = n;
    x.summary =
        fmt::format("{} answered with ICMP destination unreachable ({} times{})", server, n,
                    g.flows[0]->icmp.reporter.empty() ? "" : ", from " + g.flows[0]->icmp.reporter);
    for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
      x.evidence.push_back(flow_evidence(*g.flows[i], "icmp_unreachable", n));
    x.explanation = "A router or the destination host says it cannot deliver to this address.";
    x.fix.push_back(ns_exec + "ip route get " + host_of(server));
    out.push_back(std::move(x));
  }

  for (const auto& [server, g] : groups["loss"]) {
    uint64_t unacked = 0, retrans = 0;
    for (const auto* f : g.flows) {
      unacked += f->verdict.unacked_segments;
      retrans += f->verdict.retransmits;
    }
    Finding x =
        base("transport.retransmits", Layer::transport, Severity::warning, ctx, "tcp " + server);
    x.confidence = 0.7;
    x.volume = unacked + retrans;
    x.summary = fmt::format(
        "{} data segments to/from {} never acknowledged after {} "
        "retransmissions",
        unacked, server, retrans);
    for (size_t i = 0; i < g.flows.size() && i < 5; ++i)
      x.evidence.push_back(
          flow_evidence(*g.flows[i], "unacked_segments", g.flows[i]->verdict.unacked_segments));
    x.explanation = "Segments of every size are lost and the peer never acknowledges them.";
    x.fix.push_back(fmt::format("{}pktloss trace --host {} --port {} -d 10", ns_exec,
                                host_of(server), port_of(server)));
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace pktloss::capture
