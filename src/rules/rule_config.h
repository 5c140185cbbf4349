#pragma once
// Thresholds. Each one is proven by a test: never fires on a healthy pair, always on the fault.
#include <cstdint>

namespace pktloss {

struct RuleConfig {
  // An interface MTU below this fraction of its peer's/the path's is "far below".
  double mtu_low_ratio = 0.5;
  // Absolute floor: below IPv4's minimum datagram (576) nothing normal works.
  uint32_t mtu_absolute_low = 576;
  // TCP retransmitted segments / sent segments in the window above this is abnormal.
  double retransmit_ratio = 0.02;
  // ... and at least this many retransmits, so three lost segments on an idle host do not alarm.
  uint64_t retransmit_min = 10;
  // Minimum number of events in the window before a counter-based rule speaks.
  uint64_t min_window_events = 1;
  // Device drop/error counters that moved fewer times than this in the window are info, not a
  // warning: a NIC drops the odd frame for a protocol the host does not run (LLDP, STP).
  uint64_t link_warning_min = 5;
  // Probe loss at or above this (Wilson lower bound > 0 also required) is a finding.
  double probe_loss_warning = 0.01;
  // ... and at or above this it is critical (a fifth of the attempts fail: users notice).
  double probe_loss_critical = 0.2;
  // Connection attempts answered by RST / refused in the window before transport.no_listener
  // speaks: a stray RST to a late segment is normal, a handful of refused connects is not.
  uint64_t refused_min = 3;
  // SYN / SYN-ACK retransmits in the window before transport.syn_failures speaks.
  uint64_t syn_retrans_min = 3;
  // Received IPv6 packets without a route before ip.no_route counts them: an interface coming up
  // gets a few link-local control packets (router solicitations, MLD) that count here harmlessly.
  uint64_t ipv6_in_noroute_min = 10;
  // qdisc.filter_drop: a tc action that dropped at least min_window_events packets is a warning,
  // and critical from this share of the packets it saw (a policer trimming 0.5% of a burst is
  // shaping; one dropping a tenth of them is an outage).
  double filter_drop_critical_share = 0.01;
};

}  // namespace pktloss
