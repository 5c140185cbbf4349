#include "util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace pktloss {
namespace {

[[noreturn]] void fail(const std::string& path, const char* what, int err) {
  throw std::runtime_error("cannot write " + path + ": " + what + ": " + std::strerror(err));
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view content) {
  // A dot-prefixed name: the textfile collector only reads *.prom, and ls hides it.
  std::string dir = ".", base = path;
  if (auto slash = path.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : path.substr(0, slash);
    base = path.substr(slash + 1);
  }
  if (base.empty()) throw std::runtime_error("cannot write " + path + ": not a file name");
  std::string tmpl = (dir == "/" ? "" : dir) + "/." + base + ".XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0) fail(path, "creating a temporary file", errno);
  auto give_up = [&](const char* what) {
    int err = errno;
    close(fd);
    unlink(name.data());
    fail(path, what, err);
  };
  if (fchmod(fd, 0644) != 0) give_up("chmod");
  for (size_t done = 0; done < content.size();) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;
    if (n <= 0) give_up("write");
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) give_up("fsync");
  if (close(fd) != 0) {
    int err = errno;
    unlink(name.data());
    fail(path, "close", err);
  }
  if (rename(name.data(), path.c_str()) != 0) {
    int err = errno;
    unlink(name.data());
    fail(path, "rename", err);
  }
}

}  // namespace pktloss
