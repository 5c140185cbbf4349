#pragma once
// Fix commands must run in the namespace the finding is about; this is the one place that
// decides how a pasted command gets there.
#include <string>

namespace pktloss {

// "" for the host, "ip netns exec NAME " for a named namespace, "nsenter -t PID -n " for a
// process's namespace ("pid:PID"). A namespace known only by inode ("netns:INODE") has no
// command that enters it: "".
inline std::string netns_prefix(const std::string& ns) {
  if (ns.empty() || ns == "host" || ns.rfind("netns:", 0) == 0) return "";
  if (ns.rfind("pid:", 0) == 0) return "nsenter -t " + ns.substr(4) + " -n ";
  return "ip netns exec " + ns + " ";
}

// The whole command; for an unnamed namespace a trailing comment says where to run it, so a
// paste never silently acts on the host's interface of the same name.
inline std::string command_in_netns(const std::string& ns, const std::string& cmd) {
  if (ns.rfind("netns:", 0) == 0) return cmd + "   # inside namespace " + ns;
  return netns_prefix(ns) + cmd;
}

}  // namespace pktloss
