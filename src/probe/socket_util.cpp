#include "probe/socket_util.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace pktloss::probe {

double now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

void sleep_until_ms(double t) {
  double d = t - now_ms();
  if (d <= 0) return;
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(d / 1e3);
  ts.tv_nsec = static_cast<long>((d - static_cast<double>(ts.tv_sec) * 1e3) * 1e6);
  nanosleep(&ts, nullptr);
}

sockaddr_in make_addr(const std::string& host, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1)
    throw std::invalid_argument("not an IPv4 address: " + host);
  return a;
}

std::string addr_to_string(in_addr a) {
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

std::string errno_text(int err) {
  return std::strerror(err);
}

LocalPath local_path_to(const sockaddr_in& dst) {
  LocalPath p;
  Fd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s.ok()) {
    p.error = errno_text(errno);
    return p;
  }
  sockaddr_in d = dst;
  if (d.sin_port == 0) d.sin_port = htons(9);  // connect() needs a port; nothing is sent
  if (connect(s.get(), reinterpret_cast<const sockaddr*>(&d), sizeof d) != 0) {
    p.error = errno_text(errno);
    return p;
  }
  sockaddr_in local{};
  socklen_t len = sizeof local;
  if (getsockname(s.get(), reinterpret_cast<sockaddr*>(&local), &len) == 0) {
    p.src = local.sin_addr;
    p.has_src = true;
  }
  int mtu = 0;
  len = sizeof mtu;
  if (getsockopt(s.get(), IPPROTO_IP, IP_MTU, &mtu, &len) == 0 && mtu > 0)
    p.route_mtu = static_cast<uint32_t>(mtu);
  // The interface holding the source address (getifaddrs uses netlink: follows this thread's
  // namespace, unlike /sys/class/net).
  ifaddrs* ifs = nullptr;
  if (p.has_src && getifaddrs(&ifs) == 0) {
    for (ifaddrs* i = ifs; i; i = i->ifa_next) {
      if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_name) continue;
      auto* a = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
      if (a->sin_addr.s_addr != p.src.s_addr) continue;
      p.ifname = i->ifa_name;
      break;
    }
    freeifaddrs(ifs);
  }
  if (!p.ifname.empty() && p.ifname.size() < IFNAMSIZ) {
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, p.ifname.data(), p.ifname.size());
    if (ioctl(s.get(), SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
      p.if_mtu = static_cast<uint32_t>(ifr.ifr_mtu);
  }
  return p;
}

uint16_t inet_checksum(const void* buf, size_t len, uint32_t sum) {
  const auto* b = static_cast<const uint8_t*>(buf);
  while (len > 1) {
    sum += static_cast<uint32_t>(b[0] << 8 | b[1]);
    b += 2;
    len -= 2;
  }
  if (len) sum += static_cast<uint32_t>(b[0] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

}  // namespace pktloss::probe
