#include "collect/netconf.h"

#include <linux/netconf.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace pktloss {
namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

// The attributes after struct netconfmsg, bounds-checked.
void parse_netconf_msg(const nlmsghdr* h, std::map<int, int>& out) {
  size_t len = h->nlmsg_len;
  size_t off = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(netconfmsg)));
  if (len < off) return;
  const auto* base = reinterpret_cast<const unsigned char*>(h);
  std::optional<int> ifindex, rp;
  while (off + sizeof(rtattr) <= len) {
    const auto* a = reinterpret_cast<const rtattr*>(base + off);
    if (a->rta_len < sizeof(rtattr) || off + a->rta_len > len) break;
    if (a->rta_len >= RTA_LENGTH(sizeof(int32_t))) {
      int32_t v;
      std::memcpy(&v, RTA_DATA(a), sizeof v);
      if (a->rta_type == NETCONFA_IFINDEX) ifindex = v;
      if (a->rta_type == NETCONFA_RP_FILTER) rp = v;
    }
    off += RTA_ALIGN(a->rta_len);
  }
  if (ifindex && rp) out[*ifindex] = *rp;
}

std::optional<std::map<int, int>> dump_ipv4_rp_filter() {
  Fd s{socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)};
  if (s.fd < 0) return std::nullopt;
  timeval tv{3, 0};  // a collector never hangs
  setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct {
    nlmsghdr h;
    netconfmsg m;
  } req{};
  req.h.nlmsg_len = NLMSG_LENGTH(sizeof(netconfmsg));
  req.h.nlmsg_type = RTM_GETNETCONF;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = 1;
  req.m.ncm_family = AF_INET;
  if (send(s.fd, &req, req.h.nlmsg_len, 0) < 0) return std::nullopt;

  std::map<int, int> out;
  std::vector<char> buf(64 * 1024);
  for (;;) {
    ssize_t n = recv(s.fd, buf.data(), buf.size(), 0);
    if (n <= 0) return std::nullopt;
    size_t left = static_cast<size_t>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, left);
         h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_type == NLMSG_DONE) return out;
      if (h->nlmsg_type == NLMSG_ERROR) return std::nullopt;
      if (h->nlmsg_type == RTM_NEWNETCONF) parse_netconf_msg(h, out);
    }
  }
}

}  // namespace pktloss
