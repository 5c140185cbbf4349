#include "rules/own_traffic.h"

#include <algorithm>

namespace pktloss {
namespace {

// A target answers one SYN with up to 1 + net.ipv4.tcp_synack_retries (5 by default) SYN-ACKs
// when our RST gets lost on the way, and each draws another RST from the probing host, some
// after the prober stopped listening. The probing side's RSTs are bounded by this, not by the
// SYN-ACKs the prober saw.
constexpr uint64_t kSynAckTransmissionsPerProbe = 6;

// Takes up to `amount` off what `key` moved in the window; returns what was taken.
uint64_t discount(const NetnsSnapshot& before, NetnsSnapshot& after, const std::string& key,
                  uint64_t amount) {
  auto it = after.snmp.find(key);
  if (it == after.snmp.end()) return 0;
  uint64_t b = counter_or_zero(before.snmp, key);
  if (it->second <= b) return 0;
  uint64_t take = std::min(amount, it->second - b);
  it->second -= take;
  return take;
}

}  // namespace

std::vector<std::string> discount_own_traffic(const Observations& obs, const Snapshot& before,
                                              Snapshot& after,
                                              std::vector<DropEventRow>& drop_rows) {
  std::vector<std::string> notes;
  const uint64_t resets = obs.own_syn_acks_reset;
  const uint64_t probing_rsts = resets ? obs.own_syn_probes * kSynAckTransmissionsPerProbe : 0;
  if (resets == 0) return notes;
  for (auto& ns : after.namespaces) {
    const NetnsSnapshot* prev = before.find(ns.inode);
    if (!prev || !ns.entered) continue;
    bool probing = ns.name == obs.own_syn_probes_netns;
    if (probing) {
      if (uint64_t n = discount(*prev, ns, "Tcp.OutRsts", probing_rsts))
        notes.push_back(ns.name + ": " + std::to_string(n) +
                        " RSTs answered our own SYN probes' SYN-ACKs; not counted as faults");
      continue;
    }
    // The target side: each reset request socket is an embryonic reset and a failed attempt.
    uint64_t e = discount(*prev, ns, "TcpExt.EmbryonicRsts", resets);
    uint64_t a = discount(*prev, ns, "Tcp.AttemptFails", resets);
    if (e || a)
      notes.push_back(ns.name + ": " + std::to_string(std::max(e, a)) +
                      " embryonic resets/failed attempts were our own SYN probes being reset; "
                      "not counted as faults");
  }
  // NO_SOCKET drops of those SYN-ACKs in the probing namespace.
  uint64_t left = probing_rsts;
  for (auto& row : drop_rows) {
    if (left == 0) break;
    if (row.reason != "NO_SOCKET" || row.proto != "tcp" || row.netns != obs.own_syn_probes_netns)
      continue;
    uint64_t take = std::min(left, row.packets);
    row.packets -= take;
    left -= take;
  }
  std::erase_if(drop_rows, [](const DropEventRow& r) { return r.packets == 0; });
  if (left < probing_rsts)
    notes.push_back(std::to_string(probing_rsts - left) +
                    " NO_SOCKET drops were our own SYN probes' SYN-ACKs; not counted as faults");
  return notes;
}

}  // namespace pktloss
