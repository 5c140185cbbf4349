#pragma once
// Fix commands must run in the namespace the finding is about; this is the one place that
// decides how a pasted command gets there. Namespaces are named by NetnsId::display() and read
// back with NetnsId::parse(), so a /run/netns entry called "host" ("netns/host") gets its
// `ip netns exec host`, never the host's own shell.
#include <string>
#include <string_view>

#include "model/netns_id.h"
#include "model/snapshot.h"
#include "util/shell_command.h"

namespace pktloss {

// The namespaces of the snapshot being evaluated on this thread, by display name. A container's
// name ("docker/web") does not say which pid enters it or which tools its image has; its
// snapshot does. evaluate() opens one for its call (rules keep taking names, not snapshots);
// outside one, a name is read with NetnsId::parse alone.
class KnownNetns {
 public:
  explicit KnownNetns(const Snapshot& snapshot);
  ~KnownNetns();
  KnownNetns(const KnownNetns&) = delete;
  KnownNetns& operator=(const KnownNetns&) = delete;
  // The full identity behind a display name: from the open snapshot, else parsed.
  static NetnsId lookup(const std::string& display);

 private:
  const Snapshot* previous_;
};

// The argv prefix that enters the namespace: {} for the host, {"ip","netns","exec",NAME} for a
// named namespace, {"nsenter","-t",PID,"-n"} for a process's or a container's. A namespace known
// only by inode has no command that enters it: {}.
Argv netns_argv(const NetnsId& ns);
inline Argv netns_argv(const std::string& ns) {
  return netns_argv(KnownNetns::lookup(ns));
}

// A container's fix the way its operator runs it: `docker exec NAME TOOL ...` (or podman's) when
// the image has TOOL, with --privileged when the container lacks CAP_NET_ADMIN (Docker's default
// set leaves it out); else `nsenter -t PID -n TOOL ...` with the host's TOOL. `why` says which
// and why.
Argv container_argv(const NetnsId& ns, const std::string& tool, std::string* why = nullptr);

// The whole command line run in that namespace; for an unnamed namespace a trailing comment
// says where to run it, so a paste never silently acts on the host's object of the same name.
// A container's says how it enters the container. note: optional advice appended as
// "   # note" (made safe by shell_comment).
std::string command_in_netns(const std::string& ns, const Argv& argv, std::string_view note = {});

// "" for the host, else the prefix as quoted text with a trailing space, for callers that
// append quoted words.
inline std::string netns_prefix(const std::string& ns) {
  std::string p = command_line(netns_argv(ns));
  return p.empty() ? p : p + " ";
}

}  // namespace pktloss
