#include "trace/link_names.h"

#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "netns/netns.h"

namespace pktloss {

std::vector<LinkName> list_links_here() {
  std::vector<LinkName> out;
  struct nl_sock* sk = nl_socket_alloc();
  if (!sk) return out;
  struct nl_cache* cache = nullptr;
  if (nl_connect(sk, NETLINK_ROUTE) == 0 && rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache) == 0) {
    for (struct nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
      auto* l = reinterpret_cast<struct rtnl_link*>(o);
      LinkName n;
      n.ifindex = rtnl_link_get_ifindex(l);
      if (const char* s = rtnl_link_get_name(l)) n.name = s;
      if (const char* t = rtnl_link_get_type(l)) n.kind = t;
      n.link_ifindex = rtnl_link_get_link(l);
      out.push_back(std::move(n));
    }
    nl_cache_free(cache);
  }
  nl_socket_free(sk);
  return out;
}

namespace {

std::vector<LinkName> links_in(uint64_t inode) {
  std::vector<LinkName> out;
  try {
    for (const auto& t : all_netns()) {
      if (t.inode != inode) continue;
      run_in_netns(t, [&] { out = list_links_here(); });
      break;
    }
  } catch (const std::exception&) {
    // The namespace vanished or cannot be entered: names stay unknown, rows keep the ifindex.
  }
  return out;
}

}  // namespace

const std::vector<LinkName>& LinkNameCache::links(uint64_t inode) {
  if (!fetched_[inode]) {
    links_[inode] = links_in(inode);
    fetched_[inode] = true;
  }
  return links_[inode];
}

std::string LinkNameCache::name(uint64_t inode, int ifindex) {
  if (ifindex <= 0 || inode == 0) return "";
  for (const auto& l : links(inode))
    if (l.ifindex == ifindex) return l.name;
  return "";
}

void LinkNameCache::fetch_all() {
  try {
    for (const auto& t : all_netns()) {
      if (fetched_[t.inode]) continue;
      std::vector<LinkName> v;
      try {
        run_in_netns(t, [&] { v = list_links_here(); });
      } catch (const std::exception&) {
      }
      links_[t.inode] = std::move(v);
      fetched_[t.inode] = true;
    }
  } catch (const std::exception&) {
  }
}

std::optional<std::pair<uint64_t, int>> LinkNameCache::veth_peer(uint64_t inode, int ifindex) {
  const LinkName* self = nullptr;
  for (const auto& l : links(inode))
    if (l.ifindex == ifindex) self = &l;
  if (!self || self->kind != "veth" || self->link_ifindex <= 0) return std::nullopt;
  int peer_index = self->link_ifindex;
  fetch_all();
  std::optional<std::pair<uint64_t, int>> found;
  int matches = 0;
  for (const auto& [ino, ls] : links_) {
    for (const auto& l : ls) {
      if (l.kind == "veth" && l.ifindex == peer_index && l.link_ifindex == ifindex &&
          !(ino == inode && l.ifindex == ifindex)) {
        found = std::make_pair(ino, l.ifindex);
        matches++;
      }
    }
  }
  // Two candidates means the ifindex pair is ambiguous across namespaces: say nothing.
  return matches == 1 ? found : std::nullopt;
}

}  // namespace pktloss
