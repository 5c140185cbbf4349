#pragma once
// Pure parsers for the /proc text that holds drop counters. No I/O: collectors read the files,
// tests feed fixtures. Input is untrusted; a parser never throws. What it could not understand it
// skips and describes in `problems` (one short line each), so the caller can emit a single note.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/counters.h"
#include "model/system_counters.h"

namespace pktloss {

using ParseProblems = std::vector<std::string>;

// Decimal or hex unsigned 64-bit number; nullopt on empty, sign, junk, or overflow.
std::optional<uint64_t> parse_u64(std::string_view s, int base = 10);

// /proc/net/snmp and /proc/net/netstat: "Group: Name1 Name2" followed by "Group: v1 v2".
// Adds "Group.Name" keys. Negative values (Tcp MaxConn -1) are not counters and are skipped.
void parse_snmp_pairs(std::string_view text, CounterMap& out, ParseProblems& problems);

// /proc/net/snmp6: "Ip6InDiscards 0" lines -> "Ip6.InDiscards" (group = name through its '6').
void parse_snmp6(std::string_view text, CounterMap& out, ParseProblems& problems);

// /proc/net/softnet_stat: one line of hex columns per online CPU. The column count differs between
// kernels; from 13 columns on, column 13 is the CPU index (offline CPUs are skipped, so the line
// number is not the CPU), before that the line number is all there is.
std::vector<SoftnetCpu> parse_softnet_stat(std::string_view text, ParseProblems& problems);

// /proc/net/stat/nf_conntrack: a header line of names, then one line of hex values per CPU.
// Summed over CPUs, except "entries", which every line repeats (it is the global count).
CounterMap parse_nf_conntrack_stat(std::string_view text, ParseProblems& problems);

// A single sysctl value: trailing newline removed, runs of blanks/tabs collapsed to one space
// ("4096\t131072\t6291456\n" -> "4096 131072 6291456").
std::string normalize_sysctl_value(std::string_view raw);

}  // namespace pktloss
