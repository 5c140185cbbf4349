#pragma once
// One tc filter (classifier) of a device and the actions it runs, as RTM_GETTFILTER reports them.
// Ingress policing and "action drop" filters drop packets before or after every qdisc and count
// it only in the action's own statistics: these are those counters.
#include <cstdint>
#include <string>
#include <vector>

namespace pktloss {

struct TcAction {
  std::string kind;  // "gact", "police", "mirred", "bpf", ... (kept as named)
  uint32_t index = 0;
  // The verdict in tc syntax: "drop", "pass", "ok", "pipe", "reclassify", "continue", "stolen",
  // "trap", "jump", "goto" or the number. For police: the exceed verdict ("conform-exceed").
  std::string verdict;
  // gact's random variant: "random determ drop 10" / "random netrand drop 0.3".
  std::string random_type;    // "netrand" or "determ"; empty when not random
  uint32_t random_value = 0;  // netrand: probability in 1/10000; determ: every Nth packet
  std::string random_verdict;
  // police: rate in bits/s, burst in bytes, the conform verdict (what passes).
  uint64_t police_rate_bps = 0;
  uint32_t police_burst_bytes = 0;
  uint32_t police_mtu = 0;
  std::string police_conform;
  uint64_t packets = 0, bytes = 0, drops = 0, overlimits = 0;
};

struct TcFilter {
  int ifindex = 0;
  std::string dev;
  uint32_t parent = 0;  // the qdisc (or clsact hook: 0xFFFFFFF2 ingress, 0xFFFFFFF3 egress)
  uint32_t handle = 0;
  uint16_t prio = 0;
  uint16_t protocol = 0;  // ETH_P_*, network byte order as tc keeps it
  uint32_t chain = 0;
  std::string kind;  // "matchall", "u32", "flower", "bpf", "basic", ...
  // cls_bpf: the program's name and id, and whether it runs in direct-action mode.
  std::string bpf_name;
  uint32_t bpf_id = 0;
  bool bpf_direct_action = false;
  std::vector<TcAction> actions;
};

}  // namespace pktloss
