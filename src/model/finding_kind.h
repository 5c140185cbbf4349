#pragma once
// The finding catalogue: every finding id pktloss can emit, with its layer, default severity
// and one-line description, in one table. Rules name catalogue entries (kinds::link_mtu_low.id),
// never string literals, so a mistyped id does not compile; a unit test checks that
// docs/findings.md lists exactly this table.
#include <optional>
#include <span>
#include <string_view>

#include "model/finding.h"

namespace pktloss {

struct FindingKind {
  const char* id;              // "layer.cause", stable across releases
  std::optional<Layer> layer;  // nullopt: the layer depends on the case (kernel.drop_reason)
  Severity severity;           // the usual severity; a rule may raise or lower it
  const char* description;
};

namespace kinds {
// clang-format off
inline constexpr FindingKind link_rx_dropped{"link.rx_dropped", Layer::link, Severity::warning, "device receive drop counters rising"};
inline constexpr FindingKind link_tx_dropped{"link.tx_dropped", Layer::link, Severity::warning, "device transmit drop counters rising"};
inline constexpr FindingKind link_rx_errors{"link.rx_errors", Layer::link, Severity::warning, "device receive error counters rising"};
inline constexpr FindingKind link_rx_overrun{"link.rx_overrun", Layer::link, Severity::warning, "device receive overrun / fifo counters rising"};
inline constexpr FindingKind link_ring_full{"link.ring_full", Layer::link, Severity::warning, "NIC ring buffer overflow (rx_missed, fifo, driver statistics)"};
inline constexpr FindingKind link_mtu_low{"link.mtu_low", Layer::link, Severity::critical, "interface MTU far below its peer's or the path's; large packets dropped"};
inline constexpr FindingKind link_xdp_program{"link.xdp_program", Layer::link, Severity::critical, "an XDP program on the device dropping frames that no device counter shows"};
inline constexpr FindingKind qdisc_netem_loss{"qdisc.netem_loss", Layer::qdisc, Severity::critical, "netem configured with loss, corrupt or duplicate"};
inline constexpr FindingKind qdisc_drops{"qdisc.drops", Layer::qdisc, Severity::warning, "a qdisc dropping or over its limit"};
inline constexpr FindingKind qdisc_filter_drop{"qdisc.filter_drop", Layer::qdisc, Severity::critical, "a tc filter action dropping (action drop, police over its rate)"};
inline constexpr FindingKind netfilter_drop_rule{"netfilter.drop_rule", Layer::netfilter, Severity::critical, "a DROP / REJECT rule (or drop policy) whose counter moved"};
inline constexpr FindingKind netfilter_unmeasured_rule{"netfilter.unmeasured_rule", Layer::netfilter, Severity::info, "a rule that can drop but has no counter"};
inline constexpr FindingKind netfilter_conntrack_full{"netfilter.conntrack_full", Layer::netfilter, Severity::critical, "conntrack table at its maximum, or its drop counters moved"};
inline constexpr FindingKind ip_no_route{"ip.no_route", Layer::ip, Severity::warning, "no route, blackhole or unreachable route"};
inline constexpr FindingKind ip_rp_filter{"ip.rp_filter", Layer::ip, Severity::warning, "reverse-path filter dropping"};
inline constexpr FindingKind ip_reassembly{"ip.reassembly", Layer::ip, Severity::warning, "fragment reassembly failures or timeouts"};
inline constexpr FindingKind ip_pmtu_blackhole{"ip.pmtu_blackhole", Layer::ip, Severity::critical, "packets above a size never arrive and no ICMP frag-needed comes back"};
inline constexpr FindingKind transport_no_listener{"transport.no_listener", Layer::transport, Severity::warning, "connection attempts to a port nobody listens on"};
inline constexpr FindingKind transport_syn_failures{"transport.syn_failures", Layer::transport, Severity::warning, "failed attempts, embryonic resets, SYN retransmits"};
inline constexpr FindingKind transport_retransmits{"transport.retransmits", Layer::transport, Severity::warning, "retransmit / timeout rate above normal"};
inline constexpr FindingKind transport_udp_no_port{"transport.udp_no_port", Layer::transport, Severity::warning, "UDP datagrams to closed ports"};
inline constexpr FindingKind socket_listen_overflow{"socket.listen_overflow", Layer::socket, Severity::critical, "accept queue overflow (ListenOverflows / ListenDrops)"};
inline constexpr FindingKind socket_rcvbuf{"socket.rcvbuf", Layer::socket, Severity::warning, "receive buffer errors, with the socket and its owner"};
inline constexpr FindingKind socket_backlog{"socket.backlog", Layer::socket, Severity::warning, "softnet backlog drops, time squeeze, TCP backlog drops"};
inline constexpr FindingKind application_probe_loss{"application.probe_loss", Layer::application, Severity::warning, "probes lost or timed out, with the loss rate and its confidence interval"};
inline constexpr FindingKind kernel_drop_reason{"kernel.drop_reason", std::nullopt, Severity::warning, "eBPF-observed kernel drops by drop reason and location that no counter explains"};
// clang-format on
}  // namespace kinds

// Every entry, in the order of docs/findings.md.
std::span<const FindingKind* const> finding_catalogue();
// The entry for an id, or null (ids read from a JSON report may be from another release).
const FindingKind* find_finding_kind(std::string_view id);

}  // namespace pktloss
