#pragma once
// ICMP echo over a "ping socket" (SOCK_DGRAM/IPPROTO_ICMP, when net.ipv4.ping_group_range allows
// it) or a raw socket. Errors for our echoes (frag-needed, unreachable) are reported either way:
// via IP_RECVERR (ping socket) or by parsing the ICMP error that quotes our echo (raw socket).
#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "probe/socket_util.h"

namespace pktloss::probe {

struct PingEvent {
  enum Type { reply, frag_needed, unreachable } type = reply;
  uint16_t seq = 0;
  uint32_t mtu = 0;  // frag_needed: the next-hop MTU the router announced
  int code = 0;      // unreachable: ICMP type*256+code
  double at_ms = 0;
};

// Parses one IPv4 packet read from a raw ICMP socket: an echo reply from dst with our id, or an
// ICMP error quoting an echo we sent to dst. Anything else (or truncated bytes): false.
bool parse_icmp_packet(const uint8_t* b, size_t n, in_addr dst, uint16_t id, PingEvent& ev);

class Pinger {
 public:
  // df_probe: set DF via IP_PMTUDISC_PROBE (ignore the cached path MTU; we want to see the path).
  // Returns nullptr and sets err when neither socket type can be opened.
  static std::unique_ptr<Pinger> open(const sockaddr_in& dst, bool df_probe, std::string& err);

  // Sends one echo whose IP datagram is ip_size bytes (>= 28). Returns 0 or an errno
  // (EMSGSIZE: larger than the local interface MTU allows with DF).
  int send(uint16_t seq, uint32_t ip_size);
  // Waits until timeout_ms for events and returns them (may be empty).
  std::vector<PingEvent> wait(int timeout_ms);
  bool ping_socket() const { return ping_socket_; }

 private:
  Pinger() = default;
  void drain_errqueue(std::vector<PingEvent>& out);

  Fd fd_;
  sockaddr_in dst_{};
  bool ping_socket_ = false;
  uint16_t id_ = 0;
  std::vector<uint8_t> buf_;
};

}  // namespace pktloss::probe
