#pragma once
// Socket listing through NETLINK_SOCK_DIAG (inet_diag), the interface `ss` uses, without `ss`.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/sockets.h"

namespace pktloss {

struct SockDiagQuery {
  int family = 0;       // AF_INET / AF_INET6
  int protocol = 0;     // IPPROTO_TCP / IPPROTO_UDP
  uint32_t states = 0;  // bitmask of 1 << TCP_* states
};

// Dumps the sockets matching `q` in the calling thread's namespace, with SK_MEMINFO. Appends to
// `out`; returns false with a one-line `error` on failure (bounded: a receive timeout applies).
bool sock_diag_dump(const SockDiagQuery& q, std::vector<Socket>& out, std::string& error);

// Parses the payload of one SOCK_DIAG_BY_FAMILY reply (struct inet_diag_msg + attributes). Pure,
// for tests and fuzzing: false when the bytes are too short or malformed.
bool parse_inet_diag_msg(std::string_view payload, int protocol, Socket& out);

// "LISTEN", "ESTABLISHED", "UNCONN" (UDP's TCP_CLOSE), ...
const char* tcp_state_name(int state, int protocol);

}  // namespace pktloss
