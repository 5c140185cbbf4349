#include "rules/ring_counters.h"

#include <array>

namespace pktloss {
namespace {

// Exact names, checked against the Linux 6.1 sources (docs/nic-counters.md) and, for e1000e and
// vmxnet3, against the drivers in the VM lab.
constexpr std::array<std::string_view, 7> kKnown = {
    "rx_missed_errors",    // e1000e, igb, ixgbe (MPC), i40e (VSI rx_discards): also in stats64
    "rx_no_buffer_count",  // e1000e, igb, ixgbe (RNBC): no descriptor, frame held or missed
    "rx_fifo_errors",      // ixgbe: also in stats64
    "port.rx_discards",    // i40e: the port's receive discards (no descriptor)
    "rx_out_of_buffer",    // mlx5: q counter out_of_buffer (the rq had no WQE)
    "rx_discards_phy",     // mlx5: the port dropped for lack of NIC buffer (host too slow)
    "pkts rx OOB",         // vmxnet3: the device's pktsRxOutOfBuf (indentation trimmed)
};

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// mlx5's per-priority "rx_prio%d_buf_discard".
bool mlx5_prio_buf_discard(std::string_view n) {
  constexpr std::string_view head = "rx_prio", tail = "_buf_discard";
  if (n.size() <= head.size() + tail.size() || n.substr(0, head.size()) != head ||
      n.substr(n.size() - tail.size()) != tail)
    return false;
  for (char c : n.substr(head.size(), n.size() - head.size() - tail.size()))
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

bool is_ring_full_counter(std::string_view name) {
  for (auto k : kKnown)
    if (name == k) return true;
  if (mlx5_prio_buf_discard(name)) return true;
  // Unknown drivers: the usual words, but never a transmit counter (ena's "queue_0_tx_missed_tx"
  // is a missed tx completion), a steering miss (mlx5's "rx_steer_missed_packets": no flow rule
  // matched) or a switch-wide count (i40e's "veb.rx_discards", shared by every VSI).
  if (contains(name, "tx") || contains(name, "steer") || name.substr(0, 4) == "veb.") return false;
  return contains(name, "missed") || contains(name, "no_buffer") ||
         contains(name, "out_of_buffer") || contains(name, "rx_fifo") ||
         contains(name, "rx_discards");
}

}  // namespace pktloss
