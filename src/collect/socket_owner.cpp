#include "collect/socket_owner.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "collect/proc_parse.h"

namespace pktloss {
namespace {

bool all_digits(const char* s) {
  if (!*s) return false;
  for (; *s; ++s)
    if (*s < '0' || *s > '9') return false;
  return true;
}

std::string read_comm(int proc_fd, const char* pid) {
  std::string path = std::string(pid) + "/comm";
  int fd = openat(proc_fd, path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[64];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return "";
  std::string comm(buf, static_cast<size_t>(n));
  while (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm;
}

}  // namespace

std::optional<uint64_t> socket_inode_from_link(std::string_view link) {
  constexpr std::string_view kPrefix = "socket:[";
  if (link.size() <= kPrefix.size() + 1 || link.substr(0, kPrefix.size()) != kPrefix ||
      link.back() != ']')
    return std::nullopt;
  return parse_u64(link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1));
}

std::unordered_map<uint64_t, std::vector<SocketOwner>> find_socket_owners(
    const std::unordered_set<uint64_t>& inodes, OwnerScanStats* stats, size_t max_fds,
    const char* proc_root) {
  std::unordered_map<uint64_t, std::vector<SocketOwner>> owners;
  OwnerScanStats local;
  OwnerScanStats& st = stats ? *stats : local;
  st = OwnerScanStats{};
  if (inodes.empty()) return owners;
  int proc_fd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (proc_fd < 0) return owners;
  DIR* proc = fdopendir(dup(proc_fd));
  if (!proc) {
    close(proc_fd);
    return owners;
  }
  char link[64];
  while (dirent* pe = readdir(proc)) {
    if (!all_digits(pe->d_name)) continue;
    std::string fd_dir = std::string(pe->d_name) + "/fd";
    int dfd = openat(proc_fd, fd_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
      // Vanished, or another user's process when we are not root (counted: owners go unknown).
      if (errno == EACCES || errno == EPERM) ++st.denied;
      continue;
    }
    DIR* fds = fdopendir(dfd);
    if (!fds) {
      close(dfd);
      continue;
    }
    ++st.processes;
    std::string comm;
    bool comm_read = false;
    while (dirent* fe = readdir(fds)) {
      if (fe->d_name[0] == '.') continue;
      if (++st.fds > max_fds) {
        st.truncated = true;
        break;
      }
      ssize_t n = readlinkat(dfd, fe->d_name, link, sizeof link);
      if (n <= 0 || static_cast<size_t>(n) >= sizeof link) continue;
      auto ino = socket_inode_from_link(std::string_view(link, static_cast<size_t>(n)));
      if (!ino || !inodes.count(*ino)) continue;
      if (!comm_read) {
        comm = read_comm(proc_fd, pe->d_name);
        comm_read = true;
      }
      int pid = std::atoi(pe->d_name);
      auto& list = owners[*ino];
      bool seen = false;
      for (const auto& o : list) seen |= o.pid == pid;
      if (!seen) list.push_back({pid, comm});
    }
    closedir(fds);
    if (st.truncated) break;
  }
  closedir(proc);
  close(proc_fd);
  return owners;
}

}  // namespace pktloss
