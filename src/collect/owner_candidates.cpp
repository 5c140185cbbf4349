#include "collect/owner_candidates.h"

#include <algorithm>
#include <string>
#include <unordered_set>

#include "collect/socket_owner.h"

namespace pktloss {

bool owner_candidate(const Socket& s, const NetnsSnapshot& ns) {
  if (!s.inode) return false;
  if (s.drops > 0) return true;
  if (s.proto == "tcp" && s.state == "LISTEN" && s.rqueue > 0) return true;
  for (const auto& r : ns.firewall.rules)
    if (std::find(r.dports.begin(), r.dports.end(), s.local_port) != r.dports.end()) return true;
  return false;
}

void resolve_candidate_owners(std::vector<NetnsSnapshot>& namespaces, const char* proc_root) {
  std::unordered_set<uint64_t> inodes;
  for (const auto& ns : namespaces)
    for (const auto& s : ns.sockets)
      if (owner_candidate(s, ns)) inodes.insert(s.inode);
  if (inodes.empty()) return;
  OwnerScanStats stats;
  auto owners = find_socket_owners(inodes, &stats, 4'000'000, proc_root);
  for (auto& ns : namespaces) {
    bool had_candidates = false;
    size_t unknown = 0;
    for (auto& s : ns.sockets) {
      if (!inodes.count(s.inode)) continue;
      had_candidates = true;
      if (auto it = owners.find(s.inode); it != owners.end())
        s.owners = it->second;
      else
        ++unknown;
    }
    if (stats.denied > 0 && unknown > 0)
      ns.notes.push_back("socket owners: " + std::to_string(unknown) +
                         " socket(s) without a known owner; the file descriptors of " +
                         std::to_string(stats.denied) +
                         " processes of other users are not readable (run as root)");
    if (stats.truncated && had_candidates)
      ns.notes.push_back("socket owners: stopped after " + std::to_string(stats.fds) +
                         " file descriptors; some owners unknown");
  }
}

}  // namespace pktloss
