#include "collect/link_parse.h"

#include <net/if.h>
#include <netlink/route/link.h>

#include <utility>

namespace pktloss {
namespace {

// libnl's ids for the rtnl_link_stats64 fields, named as in include/uapi/linux/if_link.h so
// evidence and fixtures use the names an SRE knows from the kernel and `ip -s -s link`.
constexpr std::pair<rtnl_link_stat_id_t, const char*> kStats64[] = {
    {RTNL_LINK_RX_PACKETS, "rx_packets"},
    {RTNL_LINK_TX_PACKETS, "tx_packets"},
    {RTNL_LINK_RX_BYTES, "rx_bytes"},
    {RTNL_LINK_TX_BYTES, "tx_bytes"},
    {RTNL_LINK_RX_ERRORS, "rx_errors"},
    {RTNL_LINK_TX_ERRORS, "tx_errors"},
    {RTNL_LINK_RX_DROPPED, "rx_dropped"},
    {RTNL_LINK_TX_DROPPED, "tx_dropped"},
    {RTNL_LINK_MULTICAST, "multicast"},
    {RTNL_LINK_COLLISIONS, "collisions"},
    {RTNL_LINK_RX_LEN_ERR, "rx_length_errors"},
    {RTNL_LINK_RX_OVER_ERR, "rx_over_errors"},
    {RTNL_LINK_RX_CRC_ERR, "rx_crc_errors"},
    {RTNL_LINK_RX_FRAME_ERR, "rx_frame_errors"},
    {RTNL_LINK_RX_FIFO_ERR, "rx_fifo_errors"},
    {RTNL_LINK_RX_MISSED_ERR, "rx_missed_errors"},
    {RTNL_LINK_TX_ABORT_ERR, "tx_aborted_errors"},
    {RTNL_LINK_TX_CARRIER_ERR, "tx_carrier_errors"},
    {RTNL_LINK_TX_FIFO_ERR, "tx_fifo_errors"},
    {RTNL_LINK_TX_HBEAT_ERR, "tx_heartbeat_errors"},
    {RTNL_LINK_TX_WIN_ERR, "tx_window_errors"},
    {RTNL_LINK_RX_COMPRESSED, "rx_compressed"},
    {RTNL_LINK_TX_COMPRESSED, "tx_compressed"},
    {RTNL_LINK_RX_NOHANDLER, "rx_nohandler"},
};

std::string operstate_name(uint8_t st) {
  char buf[32] = {};
  rtnl_link_operstate2str(st, buf, sizeof buf);
  return buf;
}

}  // namespace

CounterMap link_stats_from_rtnl(rtnl_link* l) {
  CounterMap m;
  for (const auto& [id, name] : kStats64) m[name] = rtnl_link_get_stat(l, id);
  return m;
}

Link link_from_rtnl(rtnl_link* l) {
  Link k;
  k.ifindex = rtnl_link_get_ifindex(l);
  if (const char* n = rtnl_link_get_name(l)) k.name = n;
  if (const char* t = rtnl_link_get_type(l)) k.kind = t;
  k.operstate = operstate_name(rtnl_link_get_operstate(l));
  k.admin_up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
  k.carrier = rtnl_link_get_carrier(l) != 0;
  k.mtu = rtnl_link_get_mtu(l);
  k.txqlen = rtnl_link_get_txqlen(l);
  k.link_ifindex = rtnl_link_get_link(l);
  int32_t nsid = -1;
  if (rtnl_link_get_link_netnsid(l, &nsid) == 0) k.link_netnsid = nsid;
  // A device whose IFLA_LINK is itself (some tunnels) has no peer to look at. The same index in
  // ANOTHER namespace is a real peer (a veth pair moved into two fresh namespaces: both ifindex 2).
  if (k.link_ifindex == k.ifindex && k.link_netnsid < 0) k.link_ifindex = 0;
  k.master_ifindex = rtnl_link_get_master(l);
  k.stats = link_stats_from_rtnl(l);
  return k;
}

}  // namespace pktloss
