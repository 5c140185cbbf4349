// Transport layer: refused connections (no listener), SYN failures, retransmits, UDP to closed
// ports. Counters from /proc/net/snmp and /proc/net/netstat; listeners from sock_diag.
#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "model/finding_kind.h"
#include "rules/proc_rule_util.h"
#include "rules/rule_families.h"

namespace pktloss {
namespace {

using namespace proc_rules;

std::string port_list(const NetnsSnapshot& ns, const std::string& proto, bool listeners_only) {
  std::set<uint16_t> ports;
  for (const auto& s : ns.sockets)
    if (s.proto == proto && (!listeners_only || s.state == "LISTEN")) ports.insert(s.local_port);
  std::string out;
  size_t shown = 0;
  for (uint16_t p : ports) {
    if (shown++ == 20) {
      out += ", ...";
      break;
    }
    if (!out.empty()) out += ", ";
    out += std::to_string(p);
  }
  return out;
}

// RSTs this namespace sent that no abort counter explains: answers to segments for which no
// socket exists, i.e. mostly SYNs to closed ports.
uint64_t unexplained_rsts(const RuleInput& in) {
  uint64_t rsts = moved_sum(in, {"Tcp.OutRsts"});
  uint64_t aborts = moved_sum(in, {"TcpExt.TCPAbortOnData", "TcpExt.TCPAbortOnClose",
                                   "TcpExt.TCPAbortOnMemory", "TcpExt.TCPAbortOnLinger"});
  return rsts > aborts ? rsts - aborts : 0;
}

// Kernel NO_SOCKET drops (eBPF) in this namespace name the closed ports, which counters cannot.
void add_no_socket_drops(const RuleInput& in, const std::string& proto, Finding& f) {
  size_t shown = 0;
  for (const auto& row : in.obs.drop_events) {
    if (row.reason != "NO_SOCKET" || row.proto != proto) continue;
    if (row.netns_inode != 0 && in.after.inode != 0 && row.netns_inode != in.after.inode) continue;
    if (shown++ == 10) break;
    Evidence e = fact_evidence("ebpf", std::to_string(row.packets) + " " + proto +
                                           " packets dropped NO_SOCKET" +
                                           (row.flow.empty() ? "" : ": " + row.flow));
    e.in_window = true;
    f.evidence.push_back(std::move(e));
  }
}

void no_listener(const RuleInput& in, Findings& out) {
  // Lifetime RST totals are large on every real host; only a window says something.
  if (!in.windowed()) return;
  uint64_t fails = moved_sum(in, {"Tcp.AttemptFails"});
  uint64_t syn_retrans = moved_sum(in, {"TcpExt.TCPSynRetrans"});
  // AttemptFails also counts passive opens the peer reset in SYN-RECV (RFC 1213's
  // tcpAttemptFails; Linux counts each as an embryonic reset too): a half-open scan such as
  // `hping3 -S`, whose kernel resets our SYN-ACKs, fails attempts here that this namespace never
  // made. Those are not refused connects from here.
  uint64_t passive = moved_sum(in, {"TcpExt.EmbryonicRsts"});
  uint64_t active = fails > passive ? fails - passive : 0;
  // Attempts that failed without SYN retransmits failed fast: they were refused (RST).
  uint64_t refused = active > syn_retrans ? active - syn_retrans : 0;
  // Our own raw-SYN probes' RSTs were already taken out of the counters (rules/own_traffic.h).
  uint64_t rsts = unexplained_rsts(in);
  bool client_side = refused >= in.config.refused_min;
  bool server_side = rsts >= in.config.refused_min;
  if (!client_side && !server_side) return;

  Finding f = new_finding(in, kinds::transport_no_listener.id, Layer::transport);
  add_counters(in,
               {"Tcp.AttemptFails", "Tcp.OutRsts", "TcpExt.TCPSynRetrans", "TcpExt.TCPAbortOnData",
                "TcpExt.TCPAbortOnClose"},
               f);
  f.moved_in_window = true;
  f.volume = std::max(refused, rsts);
  f.severity = Severity::warning;
  f.confidence = server_side && client_side ? 0.85 : 0.7;
  add_no_socket_drops(in, "tcp", f);
  std::string listening = port_list(in.after, "tcp", true);
  if (!in.after.sockets.empty())
    f.evidence.push_back(fact_evidence(
        "sock_diag", listening.empty() ? "no TCP listener in this namespace"
                                       : "TCP ports with a listener here: " + listening));
  f.object = server_side ? "tcp ports without a listener" : "outgoing tcp connections";
  if (server_side && client_side)
    f.summary = std::to_string(rsts) + " connection attempts reset here and " +
                std::to_string(refused) + " attempts from here refused " + window_word(in);
  else if (server_side)
    f.summary = std::to_string(rsts) +
                " TCP segments answered with RST: nobody listens on the port they were sent "
                "to " +
                window_word(in);
  else
    f.summary = std::to_string(refused) + " connection attempts from this namespace refused " +
                window_word(in);
  f.explanation =
      "A SYN to a port without a listening socket is answered with a RST (the client sees "
      "'connection refused'); the kernel records the drop as NO_SOCKET. Either the service is "
      "not running, it listens on another address or port, or clients use the wrong port." +
      std::string(listening.empty() ? "" : " Listening here: " + listening + ".");
  f.fix.push_back(in_ns(in.after, {"ss", "-ltnp"},
                        "start the service, or point clients at one of these ports"));
  out.push_back(std::move(f));
}

void syn_failures(const RuleInput& in, Findings& out) {
  if (!in.windowed()) return;
  uint64_t syn_retrans = moved_sum(in, {"TcpExt.TCPSynRetrans"});
  uint64_t embryonic = moved_sum(in, {"TcpExt.EmbryonicRsts"});
  uint64_t reqq_drop = moved_sum(in, {"TcpExt.TCPReqQFullDrop"});
  // Embryonic resets alone are the peer's decision, not loss: it reset a handshake this side
  // answered (a half-open scanner, or a raw-socket sender whose kernel has no socket for our
  // SYN-ACK). They are evidence only next to retransmits or SYN queue drops.
  if (syn_retrans < in.config.syn_retrans_min && reqq_drop < in.config.min_window_events) return;
  Finding f = new_finding(in, kinds::transport_syn_failures.id, Layer::transport);
  add_counters(
      in,
      {"TcpExt.TCPSynRetrans", "Tcp.AttemptFails", "TcpExt.EmbryonicRsts", "TcpExt.TCPReqQFullDrop",
       "TcpExt.TCPReqQFullDoCookies", "TcpExt.SyncookiesSent", "TcpExt.ListenDrops"},
      f);
  f.moved_in_window = true;
  f.volume = syn_retrans + reqq_drop;
  f.severity = Severity::warning;
  f.confidence = 0.7;
  f.object = "tcp handshakes";
  f.summary =
      std::to_string(syn_retrans) + " SYN/SYN-ACK retransmits" +
      (embryonic ? ", " + std::to_string(embryonic) + " embryonic resets" : "") +
      (reqq_drop ? ", " + std::to_string(reqq_drop) + " SYNs dropped (SYN queue full)" : "") + " " +
      window_word(in);
  f.explanation =
      "Handshake packets went unanswered and were sent again (each retransmit adds 1 s, 2 s, "
      "4 s... to connect time). The SYN or SYN-ACK is lost on the path (link, qdisc, firewall "
      "findings), or the server's SYN/accept queue is full (socket.listen_overflow).";
  auto cookies = sysctl_u64(in, "net.ipv4.tcp_syncookies");
  if (reqq_drop > 0) {
    if (cookies && *cookies == 0) f.fix.push_back(sysctl_fix(in, "net.ipv4.tcp_syncookies", "1"));
    if (auto b = sysctl_u64(in, "net.ipv4.tcp_max_syn_backlog"))
      f.fix.push_back(sysctl_fix(in, "net.ipv4.tcp_max_syn_backlog", std::to_string(raised(*b))));
  }
  f.fix.push_back(in_ns(in.after, {"ss", "-tn", "state", "syn-sent", "state", "syn-recv"},
                        "which peers do not answer"));
  out.push_back(std::move(f));
}

void retransmits(const RuleInput& in, Findings& out) {
  uint64_t retrans = moved_sum(in, {"Tcp.RetransSegs"});
  uint64_t sent = moved_sum(in, {"Tcp.OutSegs"});
  if (retrans < in.config.retransmit_min) return;
  double ratio = static_cast<double>(retrans) / static_cast<double>(std::max<uint64_t>(sent, 1));
  if (ratio <= in.config.retransmit_ratio) return;
  Finding f = new_finding(in, kinds::transport_retransmits.id, Layer::transport);
  add_counters(in,
               {"Tcp.RetransSegs", "Tcp.OutSegs", "TcpExt.TCPTimeouts", "TcpExt.TCPLossProbes",
                "TcpExt.TCPLostRetransmit", "TcpExt.TCPSynRetrans"},
               f);
  f.moved_in_window = in.windowed();
  f.volume = retrans;
  f.severity = in.windowed() ? Severity::warning : Severity::info;
  f.confidence = in.windowed() ? 0.7 : 0.3;
  char pct[32], limit[32];
  std::snprintf(pct, sizeof pct, "%.1f%%", ratio * 100.0);
  std::snprintf(limit, sizeof limit, "%.1f%%", in.config.retransmit_ratio * 100.0);
  f.evidence.push_back(fact_evidence(
      "/proc/net/snmp", std::string("retransmit ratio ") + pct + " (threshold " + limit + ")"));
  f.object = "tcp connections";
  f.summary = std::to_string(retrans) + " of " + std::to_string(sent) + " TCP segments (" + pct +
              ") were retransmissions " + window_word(in);
  f.explanation =
      "TCP resends a segment when no ACK comes back in time: packets are being lost between "
      "this host and its peers, or delayed so much they count as lost. Retransmits are the "
      "symptom; the lower layers (link, qdisc, netfilter) or the path hold the cause.";
  f.fix.push_back(
      in_ns(in.after, {"ss", "-tin"}, "per-connection retrans counters: which peers lose"));
  out.push_back(std::move(f));
}

void udp_no_port(const RuleInput& in, Findings& out) {
  uint64_t n = moved_sum(in, {"Udp.NoPorts", "Udp6.NoPorts"});
  if (n == 0) return;
  bool moved_now = in.windowed() && n >= in.config.min_window_events;
  if (in.windowed() && !moved_now) return;
  Finding f = new_finding(in, kinds::transport_udp_no_port.id, Layer::transport);
  add_counters(in, {"Udp.NoPorts", "Udp6.NoPorts", "Icmp.OutDestUnreachs", "Icmp6.OutDestUnreachs"},
               f);
  f.moved_in_window = moved_now;
  f.volume = n;
  f.severity = moved_now ? Severity::warning : Severity::info;
  f.confidence = moved_now ? 0.8 : 0.3;
  add_no_socket_drops(in, "udp", f);
  std::string bound = port_list(in.after, "udp", false);
  if (!in.after.sockets.empty())
    f.evidence.push_back(
        fact_evidence("sock_diag", bound.empty() ? "no UDP socket in this namespace"
                                                 : "UDP ports with a socket here: " + bound));
  f.object = "udp ports without a socket";
  f.summary =
      std::to_string(n) + " UDP datagrams arrived for ports nobody has open " + window_word(in);
  f.explanation =
      "The kernel dropped UDP datagrams because no socket is bound to their destination port "
      "and answered with ICMP port unreachable (unless rate-limited). The receiving service is "
      "down, bound to another port or address, or the sender targets the wrong port.";
  f.fix.push_back(in_ns(in.after, {"ss", "-lunp"}, "start the service, or fix the sender's port"));
  out.push_back(std::move(f));
}

}  // namespace

void transport_rules(const RuleInput& in, Findings& out) {
  no_listener(in, out);
  syn_failures(in, out);
  retransmits(in, out);
  udp_no_port(in, out);
}

}  // namespace pktloss
