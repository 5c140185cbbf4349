#include "collect/sock_diag.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "collect/addr_text.h"

namespace pktloss {
namespace {

// A dump of hundreds of thousands of sockets still ends; this caps a kernel (or bug) that never
// sends NLMSG_DONE.
constexpr size_t kMaxSocketsPerDump = 1'000'000;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

const char* tcp_state_name(int state, int protocol) {
  static const char* const kNames[] = {
      "UNKNOWN", "ESTABLISHED", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",  "TIME-WAIT",
      "CLOSE",   "CLOSE-WAIT",  "LAST-ACK", "LISTEN",   "CLOSING",    "NEW-SYN-RECV"};
  if (protocol == IPPROTO_UDP && state == 7) return "UNCONN";
  if (state < 0 || state >= static_cast<int>(sizeof kNames / sizeof kNames[0])) return "UNKNOWN";
  return kNames[state];
}

bool parse_inet_diag_msg(std::string_view payload, int protocol, Socket& s) {
  if (payload.size() < sizeof(inet_diag_msg)) return false;
  inet_diag_msg msg;
  std::memcpy(&msg, payload.data(), sizeof msg);
  if (msg.idiag_family != AF_INET && msg.idiag_family != AF_INET6) return false;
  s = Socket{};
  s.proto = protocol == IPPROTO_TCP ? "tcp" : protocol == IPPROTO_UDP ? "udp" : "other";
  s.family = msg.idiag_family;
  s.state = tcp_state_name(msg.idiag_state, protocol);
  char buf[INET6_ADDRSTRLEN] = {};
  s.local_addr.assign(buf, addr_text(msg.idiag_family, msg.id.idiag_src, buf));
  s.remote_addr.assign(buf, addr_text(msg.idiag_family, msg.id.idiag_dst, buf));
  s.local_port = ntohs(msg.id.idiag_sport);
  s.remote_port = ntohs(msg.id.idiag_dport);
  s.rqueue = msg.idiag_rqueue;
  s.wqueue = msg.idiag_wqueue;
  s.inode = msg.idiag_inode;

  size_t off = NLMSG_ALIGN(sizeof(inet_diag_msg));
  while (off + sizeof(rtattr) <= payload.size()) {
    rtattr rta;
    std::memcpy(&rta, payload.data() + off, sizeof rta);
    if (rta.rta_len < sizeof(rtattr) || off + rta.rta_len > payload.size()) return false;
    if (rta.rta_type == INET_DIAG_SKMEMINFO) {
      size_t n = (rta.rta_len - RTA_LENGTH(0)) / sizeof(uint32_t);
      uint32_t mem[SK_MEMINFO_VARS] = {};
      std::memcpy(mem, payload.data() + off + RTA_LENGTH(0),
                  std::min<size_t>(n, SK_MEMINFO_VARS) * sizeof(uint32_t));
      s.rmem_alloc = mem[SK_MEMINFO_RMEM_ALLOC];
      s.rcvbuf = mem[SK_MEMINFO_RCVBUF];
      // Older kernels send fewer fields; drops is then unknown and stays 0.
      if (n > SK_MEMINFO_DROPS) s.drops = mem[SK_MEMINFO_DROPS];
    }
    off += RTA_ALIGN(rta.rta_len);
  }
  return true;
}

bool sock_diag_dump(const SockDiagQuery& q, std::vector<Socket>& out, std::string& error) {
  Fd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (fd.get() < 0) {
    error = std::string("sock_diag socket: ") + std::strerror(errno);
    return false;
  }
  timeval tv{2, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int rcvbuf = 1 << 20;
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);

  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } msg{};
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.nlh.nlmsg_seq = 1;
  msg.req.sdiag_family = static_cast<uint8_t>(q.family);
  msg.req.sdiag_protocol = static_cast<uint8_t>(q.protocol);
  msg.req.idiag_states = q.states;
  msg.req.idiag_ext = 1u << (INET_DIAG_SKMEMINFO - 1);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd.get(), &msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) <
      0) {
    error = std::string("sock_diag request: ") + std::strerror(errno);
    return false;
  }

  // 32 KiB per read is what the kernel fills per dump batch; larger buffers only help a little.
  alignas(nlmsghdr) static thread_local char buf[65536];
  size_t count = 0;
  while (true) {
    ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::string("sock_diag receive: ") + std::strerror(errno);
      return false;
    }
    if (n == 0) {
      error = "sock_diag: connection closed before the dump ended";
      return false;
    }
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != 1) continue;
      if (h->nlmsg_type == NLMSG_DONE) return true;
      if (h->nlmsg_type == NLMSG_ERROR) {
        int e = 0;
        if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr)))
          e = -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
        error = std::string("sock_diag: ") + std::strerror(e);
        return false;
      }
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
      Socket s;
      std::string_view payload(static_cast<const char*>(NLMSG_DATA(h)),
                               h->nlmsg_len - NLMSG_LENGTH(0));
      if (parse_inet_diag_msg(payload, q.protocol, s)) out.push_back(std::move(s));
      if (++count > kMaxSocketsPerDump) {
        error = "sock_diag: more than " + std::to_string(kMaxSocketsPerDump) + " sockets, cut";
        return false;
      }
    }
  }
}

}  // namespace pktloss
