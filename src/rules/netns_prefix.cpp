#include "rules/netns_prefix.h"

namespace pktloss {
namespace {

thread_local const Snapshot* known_snapshot = nullptr;

}  // namespace

KnownNetns::KnownNetns(const Snapshot& snapshot) : previous_(known_snapshot) {
  known_snapshot = &snapshot;
}

KnownNetns::~KnownNetns() {
  known_snapshot = previous_;
}

NetnsId KnownNetns::lookup(const std::string& display) {
  if (known_snapshot)
    for (const auto& ns : known_snapshot->namespaces)
      if (ns.name == display && ns.id.display() == display) return ns.id;
  return NetnsId::parse(display);
}

Argv netns_argv(const NetnsId& ns) {
  switch (ns.kind) {
    case NetnsKind::host:
    case NetnsKind::unnamed:
      return {};
    case NetnsKind::process:
      return {"nsenter", "-t", std::to_string(ns.pid), "-n"};
    case NetnsKind::container:
      if (ns.pid > 0) return {"nsenter", "-t", std::to_string(ns.pid), "-n"};
      return {};
    case NetnsKind::named:
      return {"ip", "netns", "exec", ns.name};
  }
  return {};
}

Argv container_argv(const NetnsId& ns, const std::string& tool, std::string* why) {
  const ContainerRef& c = ns.container;
  const std::string who = "container " + ns.display();
  auto say = [&](std::string s) {
    if (why) *why = std::move(s);
  };
  const bool exec_cli = c.runtime == "docker" || c.runtime == "podman";
  if (exec_cli && !c.name.empty() && c.has_tool(tool)) {
    if (c.net_admin) {
      say(c.runtime + " exec: the image has " + tool + " and the container CAP_NET_ADMIN");
      return {c.runtime, "exec", c.name};
    }
    say(c.runtime + " exec: the image has " + tool +
        "; --privileged because the container lacks CAP_NET_ADMIN");
    return {c.runtime, "exec", "--privileged", c.name};
  }
  if (ns.pid > 0) {
    say("nsenter: " + who + "'s netns (init pid " + std::to_string(ns.pid) + "); " +
        (exec_cli ? "the image has no " + tool + ", so the host's runs there"
                  : "the host's " + tool + " in the container's namespace"));
    return {"nsenter", "-t", std::to_string(ns.pid), "-n"};
  }
  say("run inside " + who + "'s network namespace");
  return {};
}

std::string command_in_netns(const std::string& ns, const Argv& argv, std::string_view note) {
  const NetnsId id = KnownNetns::lookup(ns);
  std::string comment;
  Argv full;
  if (id.kind == NetnsKind::container) {
    full = container_argv(id, argv.empty() ? "" : argv.front(), &comment);
  } else {
    full = netns_argv(id);
    if (id.kind == NetnsKind::unnamed) comment = "inside namespace " + ns;
  }
  full.insert(full.end(), argv.begin(), argv.end());
  std::string line = command_line(full);
  if (!note.empty()) comment += (comment.empty() ? "" : "; ") + std::string(note);
  if (!comment.empty()) line += "   # " + shell_comment(comment);
  return line;
}

}  // namespace pktloss
