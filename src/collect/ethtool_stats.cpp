#include "collect/ethtool_stats.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace pktloss {
namespace {

// A driver reporting absurd counts is treated as having none rather than allocating gigabytes.
constexpr uint32_t kMaxStats = 16384;

bool fill_ifreq(ifreq& ifr, const std::string& ifname, void* data) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) return false;  // 15 bytes + NUL fit exactly
  std::memset(&ifr, 0, sizeof ifr);
  std::memcpy(ifr.ifr_name, ifname.data(), ifname.size());
  ifr.ifr_data = static_cast<char*>(data);
  return true;
}

}  // namespace

EthtoolReader::EthtoolReader() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

EthtoolReader::~EthtoolReader() {
  if (fd_ >= 0) ::close(fd_);
}

CounterMap EthtoolReader::driver_stats(const std::string& ifname) const {
  CounterMap out;
  if (fd_ < 0) return out;
  ifreq ifr;

  // How many statistics: ETHTOOL_GSSET_INFO with the ETH_SS_STATS bit; the count follows the
  // struct as a flexible array.
  alignas(ethtool_sset_info) uint8_t sbuf_info[sizeof(ethtool_sset_info) + sizeof(uint32_t)] = {};
  auto* sset = reinterpret_cast<ethtool_sset_info*>(sbuf_info);
  sset->cmd = ETHTOOL_GSSET_INFO;
  sset->sset_mask = 1ULL << ETH_SS_STATS;
  if (!fill_ifreq(ifr, ifname, sset) || ::ioctl(fd_, SIOCETHTOOL, &ifr) < 0) return out;
  if (!(sset->sset_mask & (1ULL << ETH_SS_STATS))) return out;
  uint32_t n = sset->data[0];
  if (n == 0 || n > kMaxStats) return out;

  std::vector<uint8_t> sbuf(sizeof(ethtool_gstrings) + size_t{n} * ETH_GSTRING_LEN);
  auto* strings = reinterpret_cast<ethtool_gstrings*>(sbuf.data());
  strings->cmd = ETHTOOL_GSTRINGS;
  strings->string_set = ETH_SS_STATS;
  strings->len = n;
  if (!fill_ifreq(ifr, ifname, strings) || ::ioctl(fd_, SIOCETHTOOL, &ifr) < 0) return out;

  std::vector<uint8_t> vbuf(sizeof(ethtool_stats) + size_t{n} * sizeof(uint64_t));
  auto* stats = reinterpret_cast<ethtool_stats*>(vbuf.data());
  stats->cmd = ETHTOOL_GSTATS;
  stats->n_stats = n;
  if (!fill_ifreq(ifr, ifname, stats) || ::ioctl(fd_, SIOCETHTOOL, &ifr) < 0) return out;

  // The driver may report fewer than it announced (the set can change between the calls).
  uint32_t count = std::min({n, strings->len, stats->n_stats});
  for (uint32_t i = 0; i < count; ++i) {
    const char* s = reinterpret_cast<const char*>(strings->data + size_t{i} * ETH_GSTRING_LEN);
    std::string_view name(s, strnlen(s, ETH_GSTRING_LEN));
    // vmxnet3 indents its names to draw a tree under "Rx Queue#" ("  pkts rx OOB"); the name
    // without the indentation is the counter.
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) continue;
    // Several queues can report the same name; sum them so nothing is lost.
    out[std::string(name)] += stats->data[i];
  }
  return out;
}

std::optional<RingParams> EthtoolReader::ring(const std::string& ifname) const {
  if (fd_ < 0) return std::nullopt;
  ethtool_ringparam rp{};
  rp.cmd = ETHTOOL_GRINGPARAM;
  ifreq ifr;
  if (!fill_ifreq(ifr, ifname, &rp) || ::ioctl(fd_, SIOCETHTOOL, &ifr) < 0) return std::nullopt;
  // Virtual devices answer with all zeros: no ring to speak of.
  if (rp.rx_max_pending == 0 && rp.tx_max_pending == 0 && rp.rx_pending == 0) return std::nullopt;
  return RingParams{rp.rx_pending, rp.rx_max_pending, rp.tx_pending, rp.tx_max_pending};
}

}  // namespace pktloss
