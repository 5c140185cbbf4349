#pragma once
// One-line notes for /proc sources that were missing or partly unreadable.
#include <string>

#include "collect/proc_parse.h"

namespace pktloss {

// "/proc/net/snmp: 2 parse problems (first: Tcp has 15 names but 14 values)", or "" when none.
inline std::string parse_problems_note(const std::string& source, const ParseProblems& problems) {
  if (problems.empty()) return "";
  return source + ": " + std::to_string(problems.size()) +
         (problems.size() == 1 ? " parse problem" : " parse problems") +
         " (first: " + problems.front() + ")";
}

}  // namespace pktloss
