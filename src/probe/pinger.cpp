#include "probe/pinger.h"

#include <ctime>  // linux/errqueue.h needs struct timespec first

#include <linux/errqueue.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace pktloss::probe {

std::unique_ptr<Pinger> Pinger::open(const sockaddr_in& dst, bool df_probe, std::string& err) {
  std::unique_ptr<Pinger> p(new Pinger());
  p->dst_ = dst;
  p->dst_.sin_port = 0;
  p->fd_ = Fd(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP));
  p->ping_socket_ = p->fd_.ok();
  if (!p->fd_.ok()) {
    int ping_err = errno;
    p->fd_ = Fd(socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP));
    if (!p->fd_.ok()) {
      err = "no ICMP socket: ping socket " + errno_text(ping_err) + " (net.ipv4.ping_group_range)" +
            ", raw socket " + errno_text(errno) + " (needs CAP_NET_RAW)";
      return nullptr;
    }
  }
  int on = 1;
  if (p->ping_socket_) setsockopt(p->fd_.get(), IPPROTO_IP, IP_RECVERR, &on, sizeof on);
  if (df_probe) {
    int v = IP_PMTUDISC_PROBE;
    setsockopt(p->fd_.get(), IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof v);
  }
  int rcv = 1 << 20;
  setsockopt(p->fd_.get(), SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
  std::random_device rd;
  p->id_ = static_cast<uint16_t>(rd());
  p->buf_.resize(70000);
  return p;
}

int Pinger::send(uint16_t seq, uint32_t ip_size) {
  if (ip_size < 28) ip_size = 28;
  if (ip_size > 65535) ip_size = 65535;
  std::vector<uint8_t> pkt(ip_size - 20, 0);
  auto* h = reinterpret_cast<icmphdr*>(pkt.data());
  h->type = ICMP_ECHO;
  h->un.echo.id = htons(id_);  // a ping socket replaces it with its own
  h->un.echo.sequence = htons(seq);
  for (size_t i = sizeof(icmphdr); i < pkt.size(); ++i) pkt[i] = static_cast<uint8_t>(i);
  h->checksum = htons(inet_checksum(pkt.data(), pkt.size()));
  ssize_t w =
      sendto(fd_.get(), pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&dst_), sizeof dst_);
  return w < 0 ? errno : 0;
}

bool parse_icmp_packet(const uint8_t* b, size_t n, in_addr dst, uint16_t id, PingEvent& ev) {
  if (n < 20 || (b[0] >> 4) != 4) return false;
  size_t ihl = static_cast<size_t>(b[0] & 0x0f) * 4;
  if (ihl < 20 || n < ihl + 8) return false;
  const uint8_t* icmp = b + ihl;
  uint8_t type = icmp[0], code = icmp[1];
  uint32_t saddr;
  std::memcpy(&saddr, b + 12, 4);
  if (type == ICMP_ECHOREPLY) {
    if (saddr != dst.s_addr) return false;
    if ((icmp[4] << 8 | icmp[5]) != id) return false;
    ev = {PingEvent::reply, static_cast<uint16_t>(icmp[6] << 8 | icmp[7]), 0, 0, now_ms()};
    return true;
  }
  if (type != ICMP_DEST_UNREACH && type != ICMP_TIME_EXCEEDED) return false;
  // The error quotes our IP header and the first 8 bytes of our echo.
  const uint8_t* inner = icmp + 8;
  size_t left = n - ihl - 8;
  if (left < 20 || (inner[0] >> 4) != 4) return false;
  size_t iihl = static_cast<size_t>(inner[0] & 0x0f) * 4;
  if (iihl < 20 || left < iihl + 8 || inner[9] != IPPROTO_ICMP) return false;
  uint32_t idst;
  std::memcpy(&idst, inner + 16, 4);
  const uint8_t* echo = inner + iihl;
  if (idst != dst.s_addr || echo[0] != ICMP_ECHO || (echo[4] << 8 | echo[5]) != id) return false;
  PingEvent e;
  e.seq = static_cast<uint16_t>(echo[6] << 8 | echo[7]);
  e.at_ms = now_ms();
  if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) {
    e.type = PingEvent::frag_needed;
    e.mtu = static_cast<uint32_t>(icmp[6] << 8 | icmp[7]);
  } else {
    e.type = PingEvent::unreachable;
    e.code = type * 256 + code;
  }
  ev = e;
  return true;
}

void Pinger::drain_errqueue(std::vector<PingEvent>& out) {
  for (;;) {
    uint8_t data[512];
    char ctrl[512];
    sockaddr_in from{};
    iovec iov{data, sizeof data};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctrl;
    msg.msg_controllen = sizeof ctrl;
    ssize_t n = recvmsg(fd_.get(), &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
    if (n < 0) return;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR) continue;
      sock_extended_err ee;
      std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
      if (n < 8) continue;
      PingEvent e;
      e.seq = static_cast<uint16_t>(data[6] << 8 | data[7]);  // our echo, as sent
      e.at_ms = now_ms();
      if (ee.ee_origin == SO_EE_ORIGIN_ICMP && ee.ee_type == ICMP_DEST_UNREACH &&
          ee.ee_code == ICMP_FRAG_NEEDED) {
        e.type = PingEvent::frag_needed;
        e.mtu = ee.ee_info;
      } else if (ee.ee_origin == SO_EE_ORIGIN_LOCAL && ee.ee_errno == EMSGSIZE) {
        e.type = PingEvent::frag_needed;  // refused locally; ee_info is the local MTU
        e.mtu = ee.ee_info;
      } else {
        e.type = PingEvent::unreachable;
        e.code = ee.ee_type * 256 + ee.ee_code;
      }
      out.push_back(e);
    }
  }
}

std::vector<PingEvent> Pinger::wait(int timeout_ms) {
  std::vector<PingEvent> out;
  double deadline = now_ms() + std::max(timeout_ms, 0);
  for (;;) {
    pollfd pfd{fd_.get(), POLLIN, 0};
    int left = static_cast<int>(std::max(0.0, deadline - now_ms()));
    int pr = poll(&pfd, 1, left);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) return out;
    if (pfd.revents & POLLERR) drain_errqueue(out);
    if (pfd.revents & POLLIN) {
      for (;;) {
        ssize_t n = recv(fd_.get(), buf_.data(), buf_.size(), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        if (ping_socket_) {
          // The kernel already matched the id; we get the ICMP header only.
          if (n >= 8 && buf_[0] == ICMP_ECHOREPLY)
            out.push_back(
                {PingEvent::reply, static_cast<uint16_t>(buf_[6] << 8 | buf_[7]), 0, 0, now_ms()});
        } else {
          PingEvent ev;
          if (parse_icmp_packet(buf_.data(), static_cast<size_t>(n), dst_.sin_addr, id_, ev))
            out.push_back(ev);
        }
      }
    }
    if (!out.empty()) return out;
  }
}

}  // namespace pktloss::probe
