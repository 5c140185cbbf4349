#pragma once
// rtnetlink requests over libmnl: replies are handed to the caller as raw messages that the pure
// parse functions (link_parse.h, qdisc_parse.h, route_parse.h) turn into model structs, with no
// intermediate object cache. One socket per collector call, owned by the calling thread (so it
// talks to that thread's namespace).
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

struct mnl_socket;

namespace pktloss {

class RtnlSocket {
 public:
  RtnlSocket() = default;
  ~RtnlSocket();
  RtnlSocket(const RtnlSocket&) = delete;
  RtnlSocket& operator=(const RtnlSocket&) = delete;

  // Opens and binds a NETLINK_ROUTE socket with a receive timeout (a collector never hangs).
  bool open(std::string& error);

  // Sends `req` (its nlmsg_seq is set here) and calls on_msg for every reply message of that
  // sequence until NLMSG_DONE, or until the ACK/answer of a non-dump request. A kernel error
  // (NLMSG_ERROR with a non-zero code) ends it with false and a one-line `error`.
  bool request(nlmsghdr* req, const std::function<void(const nlmsghdr*)>& on_msg,
               std::string& error);

  // A dump of family/type with a zeroed `hdr_len`-byte family header: RTM_GETLINK, ...
  bool dump(uint16_t type, size_t hdr_len, uint8_t family,
            const std::function<void(const nlmsghdr*)>& on_msg, std::string& error);

 private:
  mnl_socket* nl_ = nullptr;
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
};

}  // namespace pktloss
