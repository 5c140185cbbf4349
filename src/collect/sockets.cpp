// TCP listeners and UDP sockets of the calling thread's namespace (sock_diag), with owners.
#include <netinet/in.h>
#include <sys/socket.h>

#include <unordered_set>

#include "collect/collectors.h"
#include "collect/sock_diag.h"
#include "collect/socket_owner.h"

namespace pktloss {
namespace {

constexpr uint32_t kTcpListen = 10;  // TCP_LISTEN

}  // namespace

void collect_sockets(NetnsSnapshot& ns, const CollectOptions& opts) {
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
  if (!opts.socket_owners || ns.sockets.empty()) return;
  std::unordered_set<uint64_t> inodes;
  for (const auto& s : ns.sockets)
    if (s.inode) inodes.insert(s.inode);
  OwnerScanStats stats;
  auto owners = find_socket_owners(inodes, &stats);
  for (auto& s : ns.sockets) {
    auto it = owners.find(s.inode);
    if (it != owners.end()) s.owners = it->second;
  }
  if (stats.truncated)
    ns.notes.push_back("socket owners: stopped after " + std::to_string(stats.fds) +
                       " file descriptors; some owners unknown");
}

}  // namespace pktloss
