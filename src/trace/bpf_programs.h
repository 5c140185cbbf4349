#pragma once
// The eBPF programs a snapshot's devices run (XDP programs from IFLA_XDP, tc cls_bpf filters'
// programs), read by id with libbpf: name, type, tag and run counts. Fed by the ids the link and
// tc filter collectors found; program ids are host-wide, so every distinct id is looked up once
// per snapshot, from any thread, after all namespaces were collected.
#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/snapshot.h"

namespace pktloss {

// Fills each namespace's bpf_programs and bpf_stats_enabled. Nothing is read (not even libbpf
// loaded) when no device runs a program. Without CAP_SYS_ADMIN (BPF_PROG_GET_FD_BY_ID needs it)
// the ids stay and one note per namespace says why.
void collect_bpf_programs(std::vector<NetnsSnapshot>& namespaces);

// bpf_prog_info -> model, pure (unit-tested): the name cut at its NUL, the tag as 16 hex digits,
// the type by libbpf's name (its number when libbpf has none).
BpfProgram bpf_program_from_info(uint32_t id, const bpf_prog_info& info, const char* type_name);

// "1" / "1\n" -> true; anything else (unreadable included) false.
bool bpf_stats_enabled_from_text(const std::string& text);

}  // namespace pktloss
