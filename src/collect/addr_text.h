#pragma once
// IPv4/IPv6 addresses as text, exactly as inet_ntop(3) writes them (RFC 5952 zero compression,
// ::ffff:a.b.c.d for mapped addresses), without its sprintf per group: a snapshot formats two
// addresses per socket and one or two per route, and glibc's inet_ntop was 15 % of the
// instructions of a whole snapshot of 1,000 links and 2,000 sockets.
#include <arpa/inet.h>

#include <cstddef>

namespace pktloss {

// Writes the address (4 bytes for AF_INET, 16 for AF_INET6) and a NUL into `out`, which holds
// INET6_ADDRSTRLEN bytes; returns the length, 0 for another family (out is then "").
size_t addr_text(int family, const void* addr, char* out);

}  // namespace pktloss
