#pragma once
// Interface names per network namespace, for drop rows keyed by (netns inode, ifindex).
// /sys/class/net does not follow setns, so this asks rtnetlink from inside each namespace.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "netns/netns.h"

namespace pktloss {

struct LinkName {
  int ifindex = 0;
  std::string name;
  std::string kind;       // "veth", ... ("" when the kernel gives none)
  int link_ifindex = 0;   // IFLA_LINK: a veth's peer ifindex (in the peer's namespace)
  int link_netnsid = -1;  // IFLA_LINK_NETNSID: the peer's namespace id as seen from here; -1: same
};

// The namespace id (RTM_GETNSID) the calling thread's namespace gives to the namespace at
// `netns_path`; -1 when none is assigned or on error.
int netnsid_of(const std::string& netns_path);

class LinkNameCache {
 public:
  // Name of ifindex in the namespace with this inode; "" when unknown. Refreshes that namespace
  // at most once per refresh() generation.
  std::string name(uint64_t netns_inode, int ifindex);
  // The other end of a veth: (netns inode, ifindex) of the device whose IFLA_LINK points back.
  std::optional<std::pair<uint64_t, int>> veth_peer(uint64_t netns_inode, int ifindex);
  // Namespaces on the other end of this namespace's veth devices (drops while crossing into this
  // namespace happen with skb->dev still in the sender's).
  std::vector<uint64_t> veth_peer_namespaces(uint64_t netns_inode);
  // Forget what was fetched so the next lookups see renamed / new devices and namespaces.
  void refresh() {
    fetched_.clear();
    peers_.clear();
    namespaces_.reset();
  }

 private:
  const std::vector<LinkName>& links(uint64_t netns_inode);
  const std::vector<NetnsTarget>& namespaces();
  std::optional<std::pair<uint64_t, int>> find_veth_peer(uint64_t netns_inode, int ifindex);
  std::map<uint64_t, std::vector<LinkName>> links_;
  std::map<uint64_t, bool> fetched_;
  std::map<std::pair<uint64_t, int>, std::optional<std::pair<uint64_t, int>>> peers_;
  std::optional<std::vector<NetnsTarget>> namespaces_;
};

// Every link of the calling thread's namespace (empty on error).
std::vector<LinkName> list_links_here();

}  // namespace pktloss
