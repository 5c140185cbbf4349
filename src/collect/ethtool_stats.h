#pragma once
// Driver statistics (`ethtool -S`) and ring sizes (`ethtool -g`) through SIOCETHTOOL on an ioctl
// socket made by the calling thread, so they follow the thread's network namespace.
#include <optional>
#include <string>

#include "model/link.h"

namespace pktloss {

class EthtoolReader {
 public:
  EthtoolReader();  // never throws: without a socket every read returns nothing
  ~EthtoolReader();
  EthtoolReader(const EthtoolReader&) = delete;
  EthtoolReader& operator=(const EthtoolReader&) = delete;

  bool ok() const { return fd_ >= 0; }
  // Empty when the driver has no statistics (EOPNOTSUPP) or the name does not fit IFNAMSIZ.
  CounterMap driver_stats(const std::string& ifname) const;
  std::optional<RingParams> ring(const std::string& ifname) const;

 private:
  int fd_ = -1;
};

}  // namespace pktloss
