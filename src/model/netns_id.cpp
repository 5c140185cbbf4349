#include "model/netns_id.h"

#include <algorithm>
#include <cstdlib>

namespace pktloss {
namespace {

constexpr const char kPid[] = "pid:";
constexpr const char kInode[] = "netns:";
constexpr const char kNamed[] = "netns/";
constexpr const char kPod[] = "pod/";
// Runtimes whose containers display as "RUNTIME/NAME"; parse() accepts only these.
constexpr const char* kRuntimes[] = {"docker", "podman", "containerd"};

bool starts(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// A spelling display() gives to another kind.
// A name parse() would not read back as that named namespace: spelled with the netns/ prefix.
// ('/' cannot be in a /run/netns name, but a hostile one must not turn into a container.)
bool reserved(const std::string& name) {
  return name.empty() || name == "host" || name.find('/') != std::string::npos ||
         starts(name, kPid) || starts(name, kInode) || starts(name, kNamed);
}

}  // namespace

std::string NetnsId::display() const {
  switch (kind) {
    case NetnsKind::host:
      return "host";
    case NetnsKind::named:
      return reserved(name) ? kNamed + name : name;
    case NetnsKind::process:
      return kPid + std::to_string(pid);
    case NetnsKind::unnamed:
      return kInode + std::to_string(inode);
    case NetnsKind::container:
      if (!container.pod.empty())
        return kPod + (container.pod_namespace.empty() ? "default" : container.pod_namespace) +
               "/" + container.pod;
      return container.runtime + "/" + container.name;
  }
  return "host";
}

const char* NetnsId::kind_name() const {
  switch (kind) {
    case NetnsKind::host:
      return "host";
    case NetnsKind::named:
      return "named";
    case NetnsKind::process:
      return "process";
    case NetnsKind::unnamed:
      return "unnamed";
    case NetnsKind::container:
      return "container";
  }
  return "host";
}

bool ContainerRef::has_tool(const std::string& t) const {
  return std::find(tools.begin(), tools.end(), t) != tools.end();
}

NetnsId NetnsId::parse(const std::string& s) {
  if (s.empty() || s == "host") return host();
  if (starts(s, kNamed)) return named(s.substr(sizeof kNamed - 1));
  // '/' never occurs in a /run/netns name, so "RUNTIME/NAME" and "pod/NS/POD" are containers.
  if (auto slash = s.find('/'); slash != std::string::npos && slash + 1 < s.size()) {
    const std::string head = s.substr(0, slash), rest = s.substr(slash + 1);
    ContainerRef c;
    if (head + "/" == kPod) {
      auto second = rest.find('/');
      if (second != std::string::npos && second > 0 && second + 1 < rest.size()) {
        c.pod_namespace = rest.substr(0, second);
        c.pod = rest.substr(second + 1);
        return of_container(std::move(c), 0);
      }
    }
    for (const char* r : kRuntimes)
      if (head == r && rest.find('/') == std::string::npos) {
        c.runtime = head;
        c.name = rest;
        return of_container(std::move(c), 0);
      }
  }
  auto number = [&](const char* prefix, auto& out) {
    const std::string digits = s.substr(std::char_traits<char>::length(prefix));
    char* end = nullptr;
    unsigned long long v = std::strtoull(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0') return false;
    out = static_cast<std::remove_reference_t<decltype(out)>>(v);
    return true;
  };
  NetnsId id;
  if (starts(s, kPid) && number(kPid, id.pid) && id.pid > 0) {
    id.kind = NetnsKind::process;
    return id;
  }
  if (starts(s, kInode) && number(kInode, id.inode)) {
    id.kind = NetnsKind::unnamed;
    return id;
  }
  return named(s);
}

}  // namespace pktloss
