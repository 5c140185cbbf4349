#pragma once
// eBPF programs a namespace's devices run on the packet path: XDP programs (IFLA_XDP, one per
// attach mode) and tc cls_bpf filter programs, as the kernel describes them (bpf_prog_info).
// An XDP program decides before the stack sees a frame: what it drops is counted by neither the
// device's rx counters nor, in native mode, kfree_skb, so its own run count is the evidence.
#include <cstdint>
#include <string>

namespace pktloss {

// One XDP program attached to a link, in one mode.
struct XdpAttachment {
  std::string mode;  // "drv" (native, in the driver), "skb" (generic), "hw" (offloaded)
  uint32_t prog_id = 0;
};

// A program by id (ids are global: namespaces share them), read once per snapshot.
struct BpfProgram {
  uint32_t id = 0;
  // false: only the id is known (reading it needs CAP_SYS_ADMIN, or it was unloaded meanwhile;
  // the namespace's notes say which).
  bool info_read = false;
  std::string name;  // bpf_prog_info.name: the function's name, cut to 15 characters
  std::string type;  // "xdp", "sched_cls", "sched_act", ... (libbpf's names)
  std::string tag;   // 16 hex digits: the hash of its instructions, stable across reloads
  // Runs and their total time since it was loaded; the kernel counts them only while
  // kernel.bpf_stats_enabled is 1 (both stay 0 otherwise).
  uint64_t run_cnt = 0;
  uint64_t run_time_ns = 0;
};

}  // namespace pktloss
