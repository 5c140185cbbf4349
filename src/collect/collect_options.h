#pragma once
// Which optional parts of a snapshot to collect (the cheap core is always collected).

namespace pktloss {

struct CollectOptions {
  bool sockets = true;  // sock_diag TCP listeners and UDP sockets
  // inode -> pid/comm through /proc/*/fd, for the sockets a rule can name (owner_candidates.h)
  bool socket_owners = true;
  bool firewall = true;  // nftables + iptables-legacy rules, conntrack
  bool ethtool = true;   // driver statistics and ring sizes
  // Also for software links (veth, bridge, vlan...): they have no ring and their drops are in
  // stats64 already, and on a host with a thousand veths the ioctls would cost more than
  // everything else in the snapshot together.
  bool ethtool_software_links = false;
};

}  // namespace pktloss
