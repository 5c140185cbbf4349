#pragma once
// Fix commands must run in the namespace the finding is about. The argv forms live in
// util/shell_command.h; this keeps the prefix as text for callers that append quoted words.
#include <string>

#include "util/shell_command.h"

namespace pktloss {

// "" for the host, "ip netns exec NAME " (NAME quoted) for a named namespace,
// "nsenter -t PID -n " for "pid:PID", "" for a namespace known only by inode.
inline std::string netns_prefix(const std::string& ns) {
  std::string p = command_line(netns_argv(ns));
  return p.empty() ? p : p + " ";
}

}  // namespace pktloss
