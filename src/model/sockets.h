#pragma once
// Sockets as sock_diag/inet_diag report them, with their owning processes.
#include <cstdint>
#include <string>
#include <vector>

namespace pktloss {

struct SocketOwner {
  int pid = 0;
  std::string comm;
};

struct Socket {
  std::string proto;  // "tcp", "udp"
  int family = 0;     // AF_INET / AF_INET6
  std::string state;  // "LISTEN", "ESTABLISHED", "UNCONN", ...
  std::string local_addr;
  uint16_t local_port = 0;
  std::string remote_addr;
  uint16_t remote_port = 0;
  // For a TCP listener rqueue is the accept-queue length and wqueue its limit (the backlog);
  // otherwise bytes queued for receive / send.
  uint32_t rqueue = 0;
  uint32_t wqueue = 0;
  uint64_t inode = 0;
  uint32_t rcvbuf = 0;      // SK_MEMINFO_RCVBUF
  uint32_t rmem_alloc = 0;  // SK_MEMINFO_RMEM_ALLOC
  uint64_t drops = 0;       // SK_MEMINFO_DROPS (UDP receive-buffer and backlog drops)
  std::vector<SocketOwner> owners;
};

}  // namespace pktloss
