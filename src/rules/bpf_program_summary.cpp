#include "rules/bpf_program_summary.h"

#include "rules/qdisc_format.h"

namespace pktloss {

const BpfProgram* find_program(const NetnsSnapshot& ns, uint32_t id) {
  for (const auto& p : ns.bpf_programs)
    if (p.id == id) return &p;
  return nullptr;
}

std::optional<uint64_t> run_cnt_delta(const NetnsSnapshot* before, const NetnsSnapshot& after,
                                      uint32_t id) {
  if (!before || !before->bpf_stats_enabled || !after.bpf_stats_enabled) return std::nullopt;
  const BpfProgram* b = find_program(*before, id);
  const BpfProgram* a = find_program(after, id);
  if (!a || !b || !a->info_read || !b->info_read || a->run_cnt < b->run_cnt) return std::nullopt;
  return a->run_cnt - b->run_cnt;
}

std::string tc_program_hook(uint32_t parent) {
  if (parent == 0xFFFFFFF2u || parent == 0xFFFF0000u) return "tc ingress";
  if (parent == 0xFFFFFFF3u) return "tc egress";
  return "tc parent " + tc_handle(parent);
}

void summarise_bpf_programs(const Snapshot* before, const Snapshot& after, Report& r) {
  for (const auto& ns : after.namespaces) {
    const NetnsSnapshot* prev = before ? before->find(ns.inode) : nullptr;
    auto entry = [&](const std::string& dev, const std::string& hook, const std::string& mode,
                     uint32_t id) {
      AttachedProgram a;
      a.netns = ns.name;
      a.dev = dev;
      a.hook = hook;
      a.mode = mode;
      a.id = id;
      a.stats_enabled = ns.bpf_stats_enabled;
      if (const BpfProgram* p = find_program(ns, id)) {
        a.info_read = p->info_read;
        a.name = p->name;
        a.type = p->type;
        a.tag = p->tag;
        a.run_cnt = p->run_cnt;
        a.run_time_ns = p->run_time_ns;
      }
      a.run_cnt_delta = run_cnt_delta(prev, ns, id);
      r.bpf_programs.push_back(std::move(a));
    };
    for (const auto& l : ns.links)
      for (const auto& x : l.xdp) entry(l.name, "xdp", x.mode, x.prog_id);
    for (const auto& f : ns.tc_filters)
      if (f.bpf_id)
        entry(f.dev, tc_program_hook(f.parent), f.bpf_direct_action ? "direct-action" : "",
              f.bpf_id);
  }
}

}  // namespace pktloss
