#pragma once
// A libnl socket owned by the calling thread (so it talks to that thread's namespace).
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <string>

namespace pktloss {

class NlSocket {
 public:
  NlSocket() : sk_(nl_socket_alloc()) {}
  ~NlSocket() {
    if (sk_) nl_socket_free(sk_);  // closes the fd when connected
  }
  NlSocket(const NlSocket&) = delete;
  NlSocket& operator=(const NlSocket&) = delete;

  bool connect(int protocol, std::string& error) {
    if (!sk_) {
      error = "out of memory";
      return false;
    }
    if (int err = nl_connect(sk_, protocol); err < 0) {
      error = nl_geterror(err);
      return false;
    }
    // The kernel always answers, but a collector must never hang on a socket: bound each recv.
    timeval tv{3, 0};
    setsockopt(nl_socket_get_fd(sk_), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return true;
  }
  nl_sock* get() const { return sk_; }

 private:
  nl_sock* sk_;
};

}  // namespace pktloss
