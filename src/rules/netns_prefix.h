#pragma once
// The prefix that runs a fix command inside the finding's namespace.
#include <string>

namespace pktloss {

// "" for the host, "ip netns exec NAME " for a named namespace, "nsenter -t PID -n " for a
// process's namespace ("pid:PID").
inline std::string netns_prefix(const std::string& ns) {
  if (ns.empty() || ns == "host") return "";
  if (ns.rfind("pid:", 0) == 0) return "nsenter -t " + ns.substr(4) + " -n ";
  return "ip netns exec " + ns + " ";
}

}  // namespace pktloss
