#include "model/finding_kind.h"

#include <array>

namespace pktloss {

std::span<const FindingKind* const> finding_catalogue() {
  using namespace kinds;
  static constexpr std::array kAll = {
      &link_rx_dropped,
      &link_tx_dropped,
      &link_rx_errors,
      &link_rx_overrun,
      &link_ring_full,
      &link_mtu_low,
      &link_xdp_program,
      &qdisc_netem_loss,
      &qdisc_drops,
      &qdisc_filter_drop,
      &netfilter_drop_rule,
      &netfilter_unmeasured_rule,
      &netfilter_conntrack_full,
      &ip_no_route,
      &ip_rp_filter,
      &ip_reassembly,
      &ip_pmtu_blackhole,
      &transport_no_listener,
      &transport_syn_failures,
      &transport_retransmits,
      &transport_udp_no_port,
      &socket_listen_overflow,
      &socket_rcvbuf,
      &socket_backlog,
      &application_probe_loss,
      &kernel_drop_reason,
  };
  return kAll;
}

const FindingKind* find_finding_kind(std::string_view id) {
  for (const FindingKind* k : finding_catalogue())
    if (id == k->id) return k;
  return nullptr;
}

}  // namespace pktloss
