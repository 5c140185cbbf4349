#include "trace/link_names.h"

#include <fcntl.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "collect/link_parse.h"
#include "collect/rtnl_request.h"
#include "netns/netns.h"

namespace pktloss {

std::vector<LinkName> list_links_here() {
  std::vector<LinkName> out;
  std::string error;
  RtnlSocket sk;
  if (!sk.open(error)) return out;
  auto on_link = [&](const nlmsghdr* m) {
    if (auto l = link_from_nlmsg(m)) {
      LinkName n;
      n.ifindex = l->ifindex;
      n.name = std::move(l->name);
      n.kind = std::move(l->kind);
      // link_from_nlmsg clears a self-referencing IFLA_LINK; a veth's never is.
      n.link_ifindex = l->link_ifindex;
      n.link_netnsid = l->link_netnsid;
      out.push_back(std::move(n));
    }
  };
  if (!sk.dump(RTM_GETLINK, sizeof(ifinfomsg), AF_UNSPEC, on_link, error)) out.clear();
  return out;
}

int netnsid_of(const std::string& netns_path) {
  int nsfd = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) return -1;
  int sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  int result = -1;
  if (sk >= 0) {
    struct {
      nlmsghdr nh;
      rtgenmsg g;
      char pad[3];
      nlattr a;
      uint32_t fd;
    } req{};
    req.nh.nlmsg_len = sizeof(req);
    req.nh.nlmsg_type = RTM_GETNSID;
    req.nh.nlmsg_flags = NLM_F_REQUEST;
    req.nh.nlmsg_seq = 1;
    req.g.rtgen_family = AF_UNSPEC;
    req.a.nla_len = NLA_HDRLEN + sizeof(uint32_t);
    req.a.nla_type = NETNSA_FD;
    req.fd = static_cast<uint32_t>(nsfd);
    timeval tv{1, 0};  // a kernel answer is immediate; never hang on a broken socket
    setsockopt(sk, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (send(sk, &req, sizeof(req), 0) == static_cast<ssize_t>(sizeof(req))) {
      alignas(nlmsghdr) char buf[4096];
      ssize_t n = recv(sk, buf, sizeof(buf), 0);
      if (n > 0) {
        auto* nh = reinterpret_cast<nlmsghdr*>(buf);
        if (NLMSG_OK(nh, static_cast<size_t>(n)) && nh->nlmsg_type == RTM_NEWNSID) {
          int len = static_cast<int>(nh->nlmsg_len) - NLMSG_LENGTH(sizeof(rtgenmsg));
          auto* a = reinterpret_cast<nlattr*>(reinterpret_cast<char*>(NLMSG_DATA(nh)) +
                                              NLMSG_ALIGN(sizeof(rtgenmsg)));
          while (len >= static_cast<int>(sizeof(nlattr)) && a->nla_len >= sizeof(nlattr) &&
                 a->nla_len <= len) {
            if (a->nla_type == NETNSA_NSID && a->nla_len >= NLA_HDRLEN + sizeof(int32_t)) {
              int32_t v;
              std::memcpy(&v, reinterpret_cast<char*>(a) + NLA_HDRLEN, sizeof(v));
              result = v;
              break;
            }
            int step = NLA_ALIGN(a->nla_len);
            len -= step;
            a = reinterpret_cast<nlattr*>(reinterpret_cast<char*>(a) + step);
          }
        }
      }
    }
    close(sk);
  }
  close(nsfd);
  return result;
}

const std::vector<NetnsTarget>& LinkNameCache::namespaces() {
  // One walk of /proc per generation, shared by every name and peer lookup of a rows() call.
  if (!namespaces_) {
    try {
      namespaces_ = all_netns();
    } catch (const std::exception&) {
      namespaces_.emplace();
    }
  }
  return *namespaces_;
}

const std::vector<LinkName>& LinkNameCache::links(uint64_t inode) {
  if (!fetched_[inode]) {
    std::vector<LinkName> out;
    try {
      for (const auto& t : namespaces())
        if (t.inode == inode) {
          run_in_netns(t, [&] { out = list_links_here(); });
          break;
        }
    } catch (const std::exception&) {
      // The namespace vanished or cannot be entered: names stay unknown, rows keep the ifindex.
    }
    links_[inode] = std::move(out);
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

std::vector<uint64_t> LinkNameCache::veth_peer_namespaces(uint64_t inode) {
  std::vector<uint64_t> out;
  std::vector<int> veths;
  for (const auto& l : links(inode))
    if (l.kind == "veth" && l.link_netnsid >= 0) veths.push_back(l.ifindex);
  for (int ifindex : veths)
    if (auto p = veth_peer(inode, ifindex))
      if (std::find(out.begin(), out.end(), p->first) == out.end()) out.push_back(p->first);
  return out;
}

std::optional<std::pair<uint64_t, int>> LinkNameCache::veth_peer(uint64_t inode, int ifindex) {
  auto key = std::make_pair(inode, ifindex);
  if (auto it = peers_.find(key); it != peers_.end()) return it->second;
  return peers_[key] = find_veth_peer(inode, ifindex);
}

std::optional<std::pair<uint64_t, int>> LinkNameCache::find_veth_peer(uint64_t inode, int ifindex) {
  LinkName self;
  bool found = false;
  for (const auto& l : links(inode))
    if (l.ifindex == ifindex) {
      self = l;
      found = true;
    }
  if (!found || self.kind != "veth" || self.link_ifindex <= 0) return std::nullopt;
  // No IFLA_LINK_NETNSID: both ends live in the same namespace.
  if (self.link_netnsid < 0) return std::make_pair(inode, self.link_ifindex);
  // Otherwise find the namespace this one knows by that id (ifindexes repeat across namespaces,
  // so matching on them alone is ambiguous).
  std::optional<std::pair<uint64_t, int>> peer;
  try {
    const auto& all = namespaces();
    const NetnsTarget* here = nullptr;
    for (const auto& t : all)
      if (t.inode == inode) here = &t;
    if (!here) return std::nullopt;
    run_in_netns(*here, [&] {
      for (const auto& t : all) {
        if (t.inode == inode) continue;
        // The main thread never leaves its namespace: /proc/self/ns/net is the original one.
        std::string path = t.path.empty() ? "/proc/self/ns/net" : t.path;
        if (netnsid_of(path) == self.link_netnsid) {
          peer = std::make_pair(t.inode, self.link_ifindex);
          return;
        }
      }
    });
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return peer;
}

}  // namespace pktloss
