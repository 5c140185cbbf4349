#pragma once
// Which driver statistics (`ethtool -S` names) count frames the NIC discarded because its receive
// ring had no free descriptor: the evidence of link.ring_full beside stats64's rx_missed_errors
// and rx_fifo_errors. The names come from the drivers' ethtool string tables; the table with the
// source file of each is docs/nic-counters.md.
#include <string_view>

namespace pktloss {

// True for a name a known driver uses for ring-full drops (exact), or, for a driver pktloss does
// not know, a receive-side name that says missed / no buffer / out of buffer / fifo / discards.
bool is_ring_full_counter(std::string_view name);

}  // namespace pktloss
