#pragma once
// Small socket helpers shared by the probes: an owning fd, a monotonic clock in ms, addresses.
#include <netinet/in.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace pktloss::probe {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

double now_ms();  // CLOCK_MONOTONIC in milliseconds
void sleep_until_ms(double t);

// Throws std::invalid_argument when host is not a dotted IPv4 address.
sockaddr_in make_addr(const std::string& host, uint16_t port);
std::string addr_to_string(in_addr a);

// Local address and route facts for reaching dst from the calling thread's namespace (connected
// UDP socket: nothing is sent). Empty/zero fields when unknown.
struct LocalPath {
  in_addr src{};
  bool has_src = false;
  std::string ifname;
  uint32_t if_mtu = 0;
  uint32_t route_mtu = 0;
  std::string error;  // why has_src is false, e.g. "Network is unreachable"
};
LocalPath local_path_to(const sockaddr_in& dst);

// Internet checksum over buf (with an optional initial partial sum, e.g. a pseudo-header).
uint16_t inet_checksum(const void* buf, size_t len, uint32_t initial = 0);

std::string errno_text(int err);

}  // namespace pktloss::probe
