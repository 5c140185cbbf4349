#include "rules/drop_classifier.h"
#include "model/benign_drop_reasons.h"
#include "model/finding_kind.h"

#include <array>
#include <string_view>

namespace pktloss {
namespace {

bool starts(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}
bool has(std::string_view s, std::string_view p) {
  return s.find(p) != std::string_view::npos;
}

struct ReasonEntry {
  std::string_view reason;
  std::string_view layer;
  std::string_view id;
  std::string_view explanation;
};

// Reasons that speak for themselves wherever they are raised.
constexpr std::array kReasons = {
    ReasonEntry{"NETFILTER_DROP", "netfilter", kinds::netfilter_drop_rule.id,
                "a netfilter rule (iptables / nftables) returned DROP for this packet"},
    ReasonEntry{"IP_RPFILTER", "ip", kinds::ip_rp_filter.id,
                "reverse-path filter: the source address is not routed back through the "
                "interface it arrived on (rp_filter)"},
    ReasonEntry{"SOCKET_RCVBUFF", "socket", kinds::socket_rcvbuf.id,
                "the receiving socket's buffer was full (application reads too slowly or "
                "SO_RCVBUF too small)"},
    ReasonEntry{"PROTO_MEM", "socket", kinds::socket_rcvbuf.id,
                "protocol memory limit reached (net.ipv4.udp_mem / tcp_mem pressure)"},
    ReasonEntry{"SOCKET_BACKLOG", "socket", kinds::socket_backlog.id,
                "the socket backlog was full while the socket was owned by the application"},
    ReasonEntry{"CPU_BACKLOG", "socket", kinds::socket_backlog.id,
                "the per-CPU input backlog was full (net.core.netdev_max_backlog)"},
    ReasonEntry{"TCP_LISTEN_OVERFLOW", "socket", kinds::socket_listen_overflow.id,
                "the listening socket's accept queue was full (backlog / net.core.somaxconn)"},
    ReasonEntry{"QDISC_DROP", "qdisc", kinds::qdisc_drops.id,
                "a queueing discipline dropped the packet"},
    ReasonEntry{"QDISC_OVERLIMIT", "qdisc", kinds::qdisc_drops.id,
                "a queueing discipline was over its limit"},
    ReasonEntry{"QDISC_CONGESTED", "qdisc", kinds::qdisc_drops.id,
                "a queueing discipline dropped the packet because of congestion (AQM)"},
    ReasonEntry{"CAKE_FLOOD", "qdisc", kinds::qdisc_drops.id, "cake dropped a flooding flow"},
    ReasonEntry{"FQ_BAND_LIMIT", "qdisc", kinds::qdisc_drops.id, "fq band limit reached"},
    ReasonEntry{"FQ_HORIZON_LIMIT", "qdisc", kinds::qdisc_drops.id, "fq horizon limit exceeded"},
    ReasonEntry{"FQ_FLOW_LIMIT", "qdisc", kinds::qdisc_drops.id, "fq per-flow limit reached"},
    ReasonEntry{"TC_INGRESS", "qdisc", kinds::qdisc_drops.id,
                "a tc ingress filter / action dropped it"},
    ReasonEntry{"TC_EGRESS", "qdisc", kinds::qdisc_drops.id,
                "a tc egress filter / action dropped it"},
    ReasonEntry{"IP_INNOROUTES", "ip", kinds::ip_no_route.id, "no route for the incoming packet"},
    ReasonEntry{"IP_OUTNOROUTES", "ip", kinds::ip_no_route.id, "no route for the outgoing packet"},
    ReasonEntry{"IP_INADDRERRORS", "ip", kinds::ip_no_route.id,
                "destination address invalid / unreachable / blackhole route"},
    ReasonEntry{"FRAG_REASM_TIMEOUT", "ip", kinds::ip_reassembly.id,
                "fragment reassembly timed out"},
    ReasonEntry{"FRAG_TOO_FAR", "ip", kinds::ip_reassembly.id,
                "fragment too far ahead of the reassembly window"},
    ReasonEntry{"DUP_FRAG", "ip", kinds::ip_reassembly.id, "duplicate fragment"},
    ReasonEntry{"PKT_TOO_BIG", "link", kinds::link_mtu_low.id,
                "packet larger than the egress MTU and not fragmentable"},
    ReasonEntry{"FULL_RING", "link", kinds::link_ring_full.id, "the device ring was full"},
    ReasonEntry{"OTHERHOST", "ip", kinds::kernel_drop_reason.id,
                "packet addressed to another host's MAC (promiscuous / bridged traffic)"},
    ReasonEntry{"IP_CSUM", "ip", kinds::kernel_drop_reason.id, "bad IP header checksum"},
    ReasonEntry{"IP_INHDR", "ip", kinds::kernel_drop_reason.id, "invalid IP header"},
    ReasonEntry{"IP_NOPROTO", "transport", kinds::kernel_drop_reason.id,
                "no handler for this IP protocol"},
    ReasonEntry{"TCP_CSUM", "transport", kinds::kernel_drop_reason.id, "bad TCP checksum"},
    ReasonEntry{"UDP_CSUM", "transport", kinds::kernel_drop_reason.id, "bad UDP checksum"},
    ReasonEntry{"ICMP_CSUM", "transport", kinds::kernel_drop_reason.id, "bad ICMP checksum"},
    ReasonEntry{"TCP_OLD_DATA", "transport", kinds::transport_retransmits.id,
                "TCP segment with data already received (a spurious retransmission)"},
    ReasonEntry{"TCP_ZEROWINDOW", "socket", kinds::socket_rcvbuf.id,
                "TCP data arrived while the receive window was zero"},
    ReasonEntry{"TCP_OFO_DROP", "socket", kinds::socket_rcvbuf.id,
                "out-of-order TCP segment dropped for lack of receive memory"},
    ReasonEntry{"TCP_OFO_QUEUE_PRUNE", "socket", kinds::socket_rcvbuf.id,
                "out-of-order queue pruned under receive-memory pressure"},
    ReasonEntry{"SOCKET_FILTER", "socket", kinds::kernel_drop_reason.id,
                "a socket filter (SO_ATTACH_FILTER / BPF) rejected the packet"},
    ReasonEntry{"XDP", "link", kinds::link_xdp_program.id, "an XDP program dropped the packet"},
    ReasonEntry{"BPF_CGROUP_EGRESS", "netfilter", kinds::kernel_drop_reason.id,
                "a cgroup BPF egress program dropped the packet"},
    ReasonEntry{"NEIGH_FAILED", "ip", kinds::kernel_drop_reason.id,
                "neighbour (ARP/NDP) resolution failed for the next hop"},
    ReasonEntry{"NEIGH_QUEUEFULL", "ip", kinds::kernel_drop_reason.id,
                "too many packets queued while the neighbour (ARP/NDP) was being resolved"},
    ReasonEntry{"NEIGH_CREATEFAIL", "ip", kinds::kernel_drop_reason.id,
                "could not create a neighbour entry (gc_thresh / table full)"},
    ReasonEntry{"DEV_READY", "link", kinds::kernel_drop_reason.id,
                "the device was not up / not ready when the packet was sent"},
    ReasonEntry{"NOMEM", "link", kinds::kernel_drop_reason.id,
                "out of memory while handling the packet"},
};

std::string layer_from_function(std::string_view f) {
  if (starts(f, "nft_") || starts(f, "nf_") || starts(f, "ipt_") || starts(f, "ip6t_") ||
      starts(f, "ebt_") || starts(f, "xt_"))
    return "netfilter";
  if (starts(f, "tcp") || starts(f, "udp") || starts(f, "__udp") || starts(f, "icmp") ||
      starts(f, "raw_"))
    return "transport";
  if (starts(f, "sk_") || starts(f, "sock_") || starts(f, "__sk_") || starts(f, "inet_csk"))
    return "socket";
  if (has(f, "qdisc") || starts(f, "sch_") || starts(f, "tbf_") || starts(f, "htb_") ||
      starts(f, "pfifo") || starts(f, "fq_") || starts(f, "tcf_") || starts(f, "tc_"))
    return "qdisc";
  if (starts(f, "__dev_") || starts(f, "dev_") || starts(f, "netif_") || starts(f, "veth_") ||
      starts(f, "__netif_") || starts(f, "napi_") || starts(f, "bond_") || starts(f, "br_"))
    return "link";
  return "ip";
}

}  // namespace

DropClass classify_drop(const std::string& reason, const std::string& function,
                        const std::string& l4) {
  DropClass c;
  for (auto b : kBenignDropReasons) {
    if (reason == b) {
      c.layer = reason == "TCP_CLOSE" ? "transport" : "socket";
      c.finding_id = kinds::kernel_drop_reason.id;
      c.explanation = "normal free (" + reason + "), not packet loss";
      c.benign = true;
      return c;
    }
  }
  std::string_view f = function;
  // Netlink / AF_UNIX skbs are messages between processes, not network packets.
  if (starts(f, "netlink_") || starts(f, "unix_") || starts(f, "__netlink") ||
      starts(f, "virtio_transport_") || starts(f, "vsock_") || starts(f, "vhost_transport_")) {
    c.layer = "socket";
    c.finding_id = kinds::kernel_drop_reason.id;
    c.explanation = "local message (netlink / AF_UNIX / AF_VSOCK) freed, not network packet loss";
    c.benign = true;
    return c;
  }
  // IPv6 multicast (MLD, DAD neighbour solicitations) to a group nobody here joined is filtered
  // by design; the kernel reports it as NOT_SPECIFIED.
  if (reason == "NOT_SPECIFIED" && (starts(f, "ip6_mc_input") || starts(f, "ip_mc_"))) {
    c.layer = "ip";
    c.finding_id = kinds::kernel_drop_reason.id;
    c.explanation = "multicast for a group no socket on this host joined, not packet loss";
    c.benign = true;
    return c;
  }
  // ICMPv6 control traffic (DAD neighbour solicitations from ::, MLD reports) that reaches an
  // interface before its routes exist, while it comes up: seen on every fresh veth, not loss.
  // MLD reports carry a hop-by-hop header the tracer does not walk, so they show as bare "ip6".
  // TCP/UDP without a route stays a finding.
  if (reason == "IP_INNOROUTES" && starts(f, "ip6_pkt_discard") && (l4 == "icmp6" || l4 == "ip6")) {
    c.layer = "ip";
    c.finding_id = kinds::kernel_drop_reason.id;
    c.explanation =
        "IPv6 neighbour discovery / MLD control packet seen while an interface "
        "came up, not packet loss";
    c.benign = true;
    return c;
  }
  // Every raw socket gets its own clone of each packet; a clone its filter rejects is not a loss.
  if (reason == "SOCKET_FILTER" && starts(f, "raw_")) {
    c.layer = "socket";
    c.finding_id = kinds::kernel_drop_reason.id;
    c.explanation = "a raw socket's filter skipped its copy of the packet, not packet loss";
    c.benign = true;
    return c;
  }
  // Datagrams still queued when a socket closes are freed by its destructor.
  if (reason == "NOT_SPECIFIED" &&
      (has(f, "_destruct") || starts(f, "skb_queue_purge") || starts(f, "__skb_queue_purge"))) {
    c.layer = "socket";
    c.finding_id = kinds::kernel_drop_reason.id;
    c.explanation = "unread data freed when its socket closed, not network loss";
    c.benign = true;
    return c;
  }
  // NO_SOCKET depends on the protocol that found no socket.
  if (reason == "NO_SOCKET") {
    c.layer = "transport";
    bool udp = l4 == "udp" || has(f, "udp");
    c.finding_id = udp ? kinds::transport_udp_no_port.id : kinds::transport_no_listener.id;
    c.explanation = udp ? "UDP datagram to a port nobody listens on (ICMP port unreachable sent)"
                        : "TCP segment to a port nobody listens on (answered with RST)";
    return c;
  }
  // veth / dev_forward_skb: is_skb_forwardable() refused a packet larger than the receiving
  // device's MTU; the kernel says NOT_SPECIFIED here.
  if (starts(f, "__dev_forward_skb") || starts(f, "dev_forward_skb") ||
      starts(f, "is_skb_forwardable")) {
    c.layer = "link";
    c.finding_id = kinds::link_mtu_low.id;
    c.explanation =
        "packet larger than the receiving device's MTU, dropped while crossing the veth pair "
        "(rx_dropped on the receiver)";
    c.at_peer = true;
    return c;
  }
  // What an XDP program dropped is freed here without a reason when it was an skb already:
  // generic (skb) mode, and veth's native mode for frames its peer sent (measured on 6.18:
  // do_xdp_generic+0x284, veth_xdp_rcv_skb+0x27d, one per frame the program dropped).
  if (reason == "NOT_SPECIFIED" &&
      (starts(f, "netif_receive_generic_xdp") || starts(f, "do_xdp_generic"))) {
    c.layer = "link";
    c.finding_id = kinds::link_xdp_program.id;
    c.explanation = "an XDP program in generic (skb) mode dropped the packet (XDP_DROP/ABORTED)";
    return c;
  }
  // xdp:xdp_exception rows (the tracer names them so): the program failed on the frame.
  if (f == "xdp_exception") {
    c.layer = "link";
    c.finding_id = kinds::link_xdp_program.id;
    c.explanation = reason == "XDP_ABORTED"
                        ? "the XDP program returned XDP_ABORTED (an error in the program): the "
                          "frame was dropped (xdp:xdp_exception)"
                        : "the XDP program's verdict failed (" + reason +
                              "): the frame was dropped (xdp:xdp_exception)";
    return c;
  }
  if (reason == "NOT_SPECIFIED" && starts(f, "veth_xdp_rcv_skb")) {
    c.layer = "link";
    c.finding_id = kinds::link_xdp_program.id;
    c.explanation =
        "an XDP program on this veth dropped the packet (XDP_DROP/ABORTED; a failed copy of the "
        "frame is freed here too, counted as the queue's drops)";
    return c;
  }
  for (const auto& e : kReasons) {
    if (reason == e.reason) {
      c.layer = std::string(e.layer);
      c.finding_id = std::string(e.id);
      c.explanation = std::string(e.explanation);
      if (reason == "NETFILTER_DROP") {
        if (starts(f, "nft_"))
          c.explanation += " (nftables / iptables-nft chain)";
        else if (starts(f, "ipt_") || starts(f, "ip6t_"))
          c.explanation += " (iptables-legacy)";
        else if (starts(f, "nf_conntrack") || has(f, "conntrack"))
          c.explanation = "conntrack refused the packet (table full or invalid state)";
      }
      return c;
    }
  }
  c.layer = layer_from_function(f);
  c.finding_id = kinds::kernel_drop_reason.id;
  if (reason == "NOT_SPECIFIED")
    c.explanation = "the kernel gave no reason; freed in " +
                    (function.empty() ? std::string("an unresolved location") : function) + " (" +
                    c.layer + " layer)";
  else
    c.explanation =
        "kernel drop reason " + reason + (function.empty() ? std::string() : " in " + function);
  if (starts(reason, "TCP_")) c.layer = "transport";
  if (starts(reason, "IP_") || starts(reason, "IPV6_")) c.layer = "ip";
  return c;
}

}  // namespace pktloss
