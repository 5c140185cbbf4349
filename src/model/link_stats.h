#pragma once
// The rtnl_link_stats64 counters of one link (include/uapi/linux/if_link.h), flat, under the
// kernel's field names. A struct rather than a name -> value map: a namespace of 10,000 veths
// carries two of these per link in every snapshot, and 24 map nodes with their key strings cost
// ~2 KB and 48 allocations per link where the struct is 192 bytes and none.
#include <cstdint>
#include <string_view>

namespace pktloss {

struct LinkStats {
  // The kernel's order (rtnl_link_stats64 up to rx_nohandler; fields are only ever appended).
  uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
  uint64_t rx_errors = 0, tx_errors = 0, rx_dropped = 0, tx_dropped = 0;
  uint64_t multicast = 0, collisions = 0;
  uint64_t rx_length_errors = 0, rx_over_errors = 0, rx_crc_errors = 0, rx_frame_errors = 0;
  uint64_t rx_fifo_errors = 0, rx_missed_errors = 0;
  uint64_t tx_aborted_errors = 0, tx_carrier_errors = 0, tx_fifo_errors = 0;
  uint64_t tx_heartbeat_errors = 0, tx_window_errors = 0;
  uint64_t rx_compressed = 0, tx_compressed = 0, rx_nohandler = 0;

  bool operator==(const LinkStats&) const = default;
};

struct LinkStatField {
  std::string_view name;
  uint64_t LinkStats::*member;
};

// Every field, sorted by name: JSON, evidence and metrics list them in this order (the order the
// name-keyed map used to give them).
#define PKTLOSS_LINK_STAT(f) \
  LinkStatField {            \
#f, &LinkStats::f        \
  }
inline constexpr LinkStatField kLinkStatFields[] = {
    PKTLOSS_LINK_STAT(collisions),        PKTLOSS_LINK_STAT(multicast),
    PKTLOSS_LINK_STAT(rx_bytes),          PKTLOSS_LINK_STAT(rx_compressed),
    PKTLOSS_LINK_STAT(rx_crc_errors),     PKTLOSS_LINK_STAT(rx_dropped),
    PKTLOSS_LINK_STAT(rx_errors),         PKTLOSS_LINK_STAT(rx_fifo_errors),
    PKTLOSS_LINK_STAT(rx_frame_errors),   PKTLOSS_LINK_STAT(rx_length_errors),
    PKTLOSS_LINK_STAT(rx_missed_errors),  PKTLOSS_LINK_STAT(rx_nohandler),
    PKTLOSS_LINK_STAT(rx_over_errors),    PKTLOSS_LINK_STAT(rx_packets),
    PKTLOSS_LINK_STAT(tx_aborted_errors), PKTLOSS_LINK_STAT(tx_bytes),
    PKTLOSS_LINK_STAT(tx_carrier_errors), PKTLOSS_LINK_STAT(tx_compressed),
    PKTLOSS_LINK_STAT(tx_dropped),        PKTLOSS_LINK_STAT(tx_errors),
    PKTLOSS_LINK_STAT(tx_fifo_errors),    PKTLOSS_LINK_STAT(tx_heartbeat_errors),
    PKTLOSS_LINK_STAT(tx_packets),        PKTLOSS_LINK_STAT(tx_window_errors),
};
#undef PKTLOSS_LINK_STAT
static_assert(sizeof(kLinkStatFields) / sizeof(kLinkStatFields[0]) ==
              sizeof(LinkStats) / sizeof(uint64_t));

// The field of that kernel name; nullptr when there is none.
constexpr uint64_t LinkStats::*link_stat_member(std::string_view name) {
  for (const auto& f : kLinkStatFields)
    if (f.name == name) return f.member;
  return nullptr;
}

// Value of a field by its kernel name, 0 for a name that is not a field (like a missing counter).
inline uint64_t link_stat_or_zero(const LinkStats& s, std::string_view name) {
  auto m = link_stat_member(name);
  return m ? s.*m : 0;
}

}  // namespace pktloss
