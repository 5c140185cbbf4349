#include "rules/netns_prefix.h"

namespace pktloss {

Argv netns_argv(const NetnsId& ns) {
  switch (ns.kind) {
    case NetnsKind::host:
    case NetnsKind::unnamed:
      return {};
    case NetnsKind::process:
      return {"nsenter", "-t", std::to_string(ns.pid), "-n"};
    case NetnsKind::named:
      return {"ip", "netns", "exec", ns.name};
  }
  return {};
}

std::string command_in_netns(const std::string& ns, const Argv& argv, std::string_view note) {
  const NetnsId id = NetnsId::parse(ns);
  Argv full = netns_argv(id);
  full.insert(full.end(), argv.begin(), argv.end());
  std::string line = command_line(full);
  std::string comment;
  if (id.kind == NetnsKind::unnamed) comment = "inside namespace " + ns;
  if (!note.empty()) comment += (comment.empty() ? "" : "; ") + std::string(note);
  if (!comment.empty()) line += "   # " + shell_comment(comment);
  return line;
}

}  // namespace pktloss
