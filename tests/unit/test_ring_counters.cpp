// The driver statistics link.ring_full reads, with names from the drivers' ethtool string tables
// (Linux 6.1, docs/nic-counters.md) and from the VM lab's e1000e, vmxnet3 and virtio_net.
#include <gtest/gtest.h>

#include "rules/ring_counters.h"

using pktloss::is_ring_full_counter;

TEST(RingCounters, RingFullNamesOfRealDriversAreRead) {
  for (const char* n : {
           "rx_missed_errors",      // e1000e, igb, ixgbe, i40e
           "rx_no_buffer_count",    // e1000e, igb, ixgbe
           "rx_fifo_errors",        // ixgbe
           "port.rx_discards",      // i40e
           "rx_out_of_buffer",      // mlx5
           "rx_discards_phy",       // mlx5
           "rx_prio0_buf_discard",  // mlx5
           "rx_prio7_buf_discard",  // mlx5
           "pkts rx OOB",           // vmxnet3
           "[0]: rx_discards",      // bnxt_en, per ring (generic words)
           "rx_missed",             // an unknown driver's generic name
       })
    EXPECT_TRUE(is_ring_full_counter(n)) << n;
}

TEST(RingCounters, OtherDropsOfTheSameDriversAreNotRingFull) {
  for (const char* n : {
           "queue_0_tx_missed_tx",      // ena: a tx completion that did not come
           "queue_0_rx_empty_rx_ring",  // ena: watchdog events, not packets
           "bw_in_allowance_exceeded",  // ena: the instance's bandwidth allowance
           "rx_steer_missed_packets",   // mlx5: no steering rule matched
           "veb.rx_discards",           // i40e: the embedded switch, every VSI's
           "tx_discards_phy",           // mlx5, transmit
           "rx_queue_0_drops",          // virtio_net: bad frames, failed allocations
           "rx_queue_0_xdp_drops",      // virtio_net: an XDP program's verdict
           "rx_buff_alloc_err",         // mlx5: memory, not the ring
           "alloc_rx_buff_failed",      // e1000e, ixgbe: memory
           "rx buf alloc fail",         // vmxnet3: memory
           "drv dropped rx total",      // vmxnet3: the driver's own drops (stats64 rx_dropped)
           "ring full",                 // vmxnet3: its TX ring was full (queue stopped, no loss)
           "rx_prioX_buf_discard",
           "rx_dropped",
       })
    EXPECT_FALSE(is_ring_full_counter(n)) << n;
}
