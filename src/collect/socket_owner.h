#pragma once
// Which processes hold which sockets: one pass over /proc/<pid>/fd, matching "socket:[inode]".
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/sockets.h"

namespace pktloss {

struct OwnerScanStats {
  size_t processes = 0;
  size_t fds = 0;
  bool truncated = false;  // stopped at max_fds
  size_t denied = 0;       // processes whose fds we may not read (not root: other users')
};

// Owners (pid, comm) of each wanted inode. Processes that vanish mid-scan are skipped; the scan
// stops after max_fds descriptors so a host with millions of fds cannot stall a snapshot.
std::unordered_map<uint64_t, std::vector<SocketOwner>> find_socket_owners(
    const std::unordered_set<uint64_t>& inodes, OwnerScanStats* stats = nullptr,
    size_t max_fds = 4'000'000, const char* proc_root = "/proc");

// "socket:[12345]" -> 12345; anything else -> nullopt.
std::optional<uint64_t> socket_inode_from_link(std::string_view link);

}  // namespace pktloss
