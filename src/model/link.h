#pragma once
// One network interface as rtnetlink (and ethtool) report it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/bpf_program.h"
#include "model/counters.h"
#include "model/link_stats.h"

namespace pktloss {

struct RingParams {
  uint32_t rx = 0, rx_max = 0, tx = 0, tx_max = 0;
};

struct Link {
  int ifindex = 0;
  std::string name;
  std::string kind;       // IFLA_INFO_KIND: "veth", "bridge", "" for physical/loopback
  std::string operstate;  // "up", "down", "lowerlayerdown", "unknown", ...
  bool admin_up = false;
  bool carrier = false;
  uint32_t mtu = 0;
  uint32_t txqlen = 0;
  // IFLA_LINK: the peer of a veth / the lower device of a vlan/macvlan; 0 when none.
  int link_ifindex = 0;
  // IFLA_LINK_NETNSID: the peer lives in another namespace (id as seen from this one), -1 same ns.
  int32_t link_netnsid = -1;
  // Resolved by the collector when the peer could be read (same namespace or via the netnsid).
  std::string peer_name;
  uint32_t peer_mtu = 0;
  std::string peer_netns;  // name of the peer's namespace when known
  int master_ifindex = 0;  // IFLA_MASTER (bridge, bond)
  std::string master_name;
  uint32_t master_mtu = 0;
  // rtnl_link_stats64 fields by their kernel names: rx_packets, rx_dropped, rx_missed_errors, ...
  LinkStats stats;
  // stats64 of the veth peer (read across namespaces): a frame too big for the peer's MTU is
  // counted on the SENDING end, so the peer's counters are evidence for this link's MTU. Empty
  // when there is no peer or it could not be read (JSON: {}).
  std::optional<LinkStats> peer_stats;
  // ethtool -S driver statistics (SIOCETHTOOL ETHTOOL_GSTATS) when the driver has them.
  CounterMap driver_stats;
  std::optional<RingParams> ring;
  // IFLA_XDP: the XDP programs attached, one per mode (several only in XDP_ATTACHED_MULTI).
  std::vector<XdpAttachment> xdp;
  // The veth peer's XDP programs (read with its stats across namespaces): a client sees the
  // program that drops its packets on the far end even when that namespace is not observed.
  std::vector<XdpAttachment> peer_xdp;
};

}  // namespace pktloss
