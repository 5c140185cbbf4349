// TCP listeners and UDP sockets of the calling thread's namespace (sock_diag). Owners are
// resolved after every namespace is collected, for candidates only (collect/owner_candidates.h).
#include <netinet/in.h>
#include <sys/socket.h>

#include "collect/collectors.h"
#include "collect/sock_diag.h"

namespace pktloss {
namespace {

constexpr uint32_t kTcpListen = 10;  // TCP_LISTEN

}  // namespace

void collect_sockets(NetnsSnapshot& ns, const CollectOptions& /*opts*/) {
  const SockDiagQuery queries[] = {
      {AF_INET, IPPROTO_TCP, 1u << kTcpListen},
      {AF_INET6, IPPROTO_TCP, 1u << kTcpListen},
      {AF_INET, IPPROTO_UDP, ~0u},
      {AF_INET6, IPPROTO_UDP, ~0u},
  };
  for (const auto& q : queries) {
    std::string err;
    if (!sock_diag_dump(q, ns.sockets, err)) {
      // IPv6 disabled gives an error for the AF_INET6 dump; the IPv4 part still stands.
      ns.notes.push_back(std::string(q.protocol == IPPROTO_TCP ? "tcp" : "udp") +
                         (q.family == AF_INET ? "4" : "6") + " sockets: " + err);
    }
  }
}

}  // namespace pktloss
