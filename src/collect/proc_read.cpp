#include "collect/proc_read.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pktloss {

std::optional<std::string> read_proc_file(const std::string& path, std::string* error,
                                          bool* truncated, size_t max_bytes) {
  if (truncated) *truncated = false;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (error) *error = std::strerror(errno);
    return std::nullopt;
  }
  std::string out;
  char buf[16384];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (error) *error = std::strerror(errno);
      close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    size_t room = max_bytes - out.size();
    if (static_cast<size_t>(n) > room) {
      out.append(buf, room);
      if (truncated) *truncated = true;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

}  // namespace pktloss
