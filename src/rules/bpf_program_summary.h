#pragma once
// The report's bpf_programs section: every XDP and tc-BPF program on a device of the snapshot,
// with what the kernel says of it and its runs in the window. Pure, like the other summaries.
#include <cstdint>
#include <optional>
#include <string>

#include "model/report.h"
#include "model/snapshot.h"

namespace pktloss {

void summarise_bpf_programs(const Snapshot* before, const Snapshot& after, Report& r);

// A program of `ns` by id, null when the namespace does not list it.
const BpfProgram* find_program(const NetnsSnapshot& ns, uint32_t id);

// Runs of program `id` between the two namespace snapshots: set only when both read it (the
// same id is the same program: ids are never reused while it lives), stats are enabled in both,
// and its count did not go backwards.
std::optional<uint64_t> run_cnt_delta(const NetnsSnapshot* before, const NetnsSnapshot& after,
                                      uint32_t id);

// "tc ingress", "tc egress" or "tc parent 1:" for a filter's parent.
std::string tc_program_hook(uint32_t parent);

}  // namespace pktloss
