#include "collect/rtnl_request.h"

#include <libmnl/libmnl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

namespace pktloss {
namespace {

// The kernel sizes a dump batch by the largest buffer the reader has used (up to 32 KiB per
// skb, more with a bigger socket buffer), so a big buffer means fewer recv() calls per dump.
constexpr size_t kRecvBuffer = 64 * 1024;

struct Dispatch {
  const std::function<void(const nlmsghdr*)>* on_msg;
};

int on_data(const nlmsghdr* nlh, void* arg) {
  (*static_cast<Dispatch*>(arg)->on_msg)(nlh);
  return MNL_CB_OK;
}

}  // namespace

RtnlSocket::~RtnlSocket() {
  if (nl_) mnl_socket_close(nl_);
}

bool RtnlSocket::open(std::string& error) {
  nl_ = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
  if (!nl_) {
    error = std::string("rtnetlink socket: ") + std::strerror(errno);
    return false;
  }
  if (mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
    error = std::string("rtnetlink bind: ") + std::strerror(errno);
    return false;
  }
  portid_ = mnl_socket_get_portid(nl_);
  timeval tv{3, 0};
  setsockopt(mnl_socket_get_fd(nl_), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  // Dumps of 10,000 links arrive faster than they are parsed only if the socket queue holds them.
  int rcvbuf = 1 << 20;
  setsockopt(mnl_socket_get_fd(nl_), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  // Extended ACKs give the kernel's reason in one line; harmless where unsupported.
  int one = 1;
  mnl_socket_setsockopt(nl_, NETLINK_EXT_ACK, &one, sizeof one);
  seq_ = static_cast<uint32_t>(time(nullptr));
  return true;
}

bool RtnlSocket::request(nlmsghdr* req, const std::function<void(const nlmsghdr*)>& on_msg,
                         std::string& error) {
  if (!nl_) {
    error = "rtnetlink socket not open";
    return false;
  }
  req->nlmsg_seq = ++seq_;
  if (mnl_socket_sendto(nl_, req, req->nlmsg_len) < 0) {
    error = std::string("rtnetlink send: ") + std::strerror(errno);
    return false;
  }
  // Without NLM_F_ACK a plain request ends with its one answer; a dump ends with NLMSG_DONE.
  bool is_dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
  bool wants_ack = (req->nlmsg_flags & NLM_F_ACK) != 0;
  std::vector<char> buf(kRecvBuffer);
  Dispatch d{&on_msg};
  bool answered = false;
  const std::function<void(const nlmsghdr*)> once = [&](const nlmsghdr* h) {
    answered = true;
    on_msg(h);
  };
  if (!is_dump && !wants_ack) d.on_msg = &once;
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(nl_, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno == EAGAIN ? std::string("rtnetlink: no answer within 3 s")
                              : std::string("rtnetlink receive: ") + std::strerror(errno);
      return false;
    }
    int ret = mnl_cb_run(buf.data(), static_cast<size_t>(n), req->nlmsg_seq, portid_, on_data, &d);
    if (ret == MNL_CB_ERROR) {
      error = std::strerror(errno);
      return false;
    }
    if (ret == MNL_CB_STOP) return true;  // NLMSG_DONE, or the ACK (error code 0)
    if (answered) return true;
  }
}

bool RtnlSocket::dump(uint16_t type, size_t hdr_len, uint8_t family,
                      const std::function<void(const nlmsghdr*)>& on_msg, std::string& error) {
  alignas(nlmsghdr) char req[MNL_NLMSG_HDRLEN + 64] = {};
  if (hdr_len > 64 || hdr_len == 0) {
    error = "bad dump request";
    return false;
  }
  nlmsghdr* nlh = mnl_nlmsg_put_header(req);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  auto* fam = static_cast<uint8_t*>(mnl_nlmsg_put_extra_header(nlh, hdr_len));
  fam[0] = family;  // every rtnetlink family header starts with its family byte
  return request(nlh, on_msg, error);
}

}  // namespace pktloss
