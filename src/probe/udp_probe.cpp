// UDP probes: a connected socket with IP_RECVERR, so an ICMP port-unreachable (the path works,
// nothing listens) is told apart from silence (lost, or a service that does not answer).
#include <ctime>  // linux/errqueue.h needs struct timespec first

#include <linux/errqueue.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "probe/probe_stats.h"
#include "probe/probes.h"
#include "probe/socket_util.h"

namespace pktloss {

namespace {

// Reads one queued ICMP error: returns ICMP type*256+code, or -errno for a local error.
int read_icmp_error(int fd) {
  char data[256], ctrl[512];
  iovec iov{data, sizeof data};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctrl;
  msg.msg_controllen = sizeof ctrl;
  if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return -errno;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR) continue;
    sock_extended_err ee;
    std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
    if (ee.ee_origin == SO_EE_ORIGIN_ICMP) return ee.ee_type * 256 + ee.ee_code;
    return -static_cast<int>(ee.ee_errno);
  }
  return -EIO;
}

}  // namespace

ProbeResult probe_udp(const ProbePlan& plan) {
  ProbeResult r;
  r.kind = "udp";
  r.target = plan.host + ":" + std::to_string(plan.port);
  r.source_netns = plan.source_netns;
  sockaddr_in dst = probe::make_addr(plan.host, plan.port);
  std::vector<double> rtts;
  uint64_t replies = 0, port_unreach = 0, other_icmp = 0;
  for (int i = 0; i < plan.count && !should_give_up(plan, r); ++i) {
    double start = probe::now_ms();
    probe::Fd fd(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.ok()) {
      r.detail = "no UDP socket: " + probe::errno_text(errno);
      break;
    }
    int on = 1;
    setsockopt(fd.get(), IPPROTO_IP, IP_RECVERR, &on, sizeof on);
    ++r.sent;
    if (connect(fd.get(), reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
      ++r.errors;
      continue;
    }
    std::string payload = "pktloss probe " + std::to_string(i) + "\n";
    if (send(fd.get(), payload.data(), payload.size(), 0) < 0) {
      ++r.errors;
      continue;
    }
    double deadline = start + plan.timeout_ms;
    bool done = false;
    while (!done) {
      int left = static_cast<int>(deadline - probe::now_ms());
      if (left <= 0) break;
      pollfd pfd{fd.get(), POLLIN, 0};
      int pr = poll(&pfd, 1, left);
      if (pr < 0 && errno == EINTR) continue;
      if (pr <= 0) break;
      if (pfd.revents & POLLERR) {
        int code = read_icmp_error(fd.get());
        if (code == ICMP_DEST_UNREACH * 256 + ICMP_PORT_UNREACH) {
          ++port_unreach;  // the datagram arrived: the path is fine
          ++r.received;
          ++r.errors;
          rtts.push_back(probe::now_ms() - start);
        } else {
          ++other_icmp;
          ++r.errors;
        }
        done = true;
      } else if (pfd.revents & POLLIN) {
        char buf[2048];
        if (recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT) >= 0) {
          ++replies;
          ++r.received;
          rtts.push_back(probe::now_ms() - start);
          done = true;
        }
      }
    }
    if (!done) ++r.timeouts;
    probe::sleep_until_ms(start + plan.interval_ms);
  }
  finish_result(r, rtts);
  if (r.detail.empty())
    r.detail = std::to_string(replies) + " replies, " + std::to_string(port_unreach) +
               " ICMP port unreachable, " + std::to_string(other_icmp) + " other ICMP errors, " +
               std::to_string(r.timeouts) +
               " silent (lost, or a service that does not answer this payload)";
  return r;
}

}  // namespace pktloss
