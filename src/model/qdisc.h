#pragma once
// One queueing discipline of a device's tree as rtnetlink reports it.
#include <cstdint>
#include <map>
#include <string>

namespace pktloss {

struct QdiscStats {
  uint64_t bytes = 0, packets = 0;
  uint64_t drops = 0, overlimits = 0, requeues = 0;
  uint64_t backlog_bytes = 0, qlen = 0;
};

struct Qdisc {
  int ifindex = 0;
  std::string dev;
  std::string kind;  // "netem", "tbf", "htb", "fq_codel", "pfifo_fast", "noqueue", unknown kinds
                     // kept as named
  uint32_t handle = 0;
  uint32_t parent = 0;  // TC_H_ROOT (0xFFFFFFFF) for the root, TC_H_INGRESS for ingress
  bool is_root = false;
  // Parsed options, numbers with their unit in the key:
  //   netem: loss_pct, loss_correlation_pct, corrupt_pct, corrupt_correlation_pct, duplicate_pct,
  //          duplicate_correlation_pct, reorder_pct, reorder_correlation_pct, delay_us, jitter_us,
  //          rate_bps, limit_pkts, gap, ecn (1); loss_model 1 (4-state: loss_state_p13_pct,
  //          _p31_pct, _p32_pct, _p23_pct, _p14_pct) or 2 (Gilbert-Elliott: loss_gemodel_p_pct,
  //          _r_pct, _1h_pct, _1k_pct); slot_min_us, slot_max_us or slot_dist_delay_us,
  //          slot_dist_jitter_us; slot_packets, slot_bytes
  //   tbf:   rate_bps, burst_bytes, limit_bytes, peakrate_bps, mtu_bytes
  //   htb:   default_class, r2q, direct_pkts;  fq_codel: limit_pkts, target_us, interval_us, flows
  //   pfifo/bfifo: limit_pkts / limit_bytes
  std::map<std::string, double> options;
  QdiscStats stats;
};

}  // namespace pktloss
