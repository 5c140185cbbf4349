#include "model/netns_id.h"

#include <cstdlib>

namespace pktloss {
namespace {

constexpr const char kPid[] = "pid:";
constexpr const char kInode[] = "netns:";
constexpr const char kNamed[] = "netns/";

bool starts(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// A spelling display() gives to another kind.
bool reserved(const std::string& name) {
  return name == "host" || starts(name, kPid) || starts(name, kInode) || starts(name, kNamed);
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
  }
  return "host";
}

NetnsId NetnsId::parse(const std::string& s) {
  if (s.empty() || s == "host") return host();
  if (starts(s, kNamed)) return named(s.substr(sizeof kNamed - 1));
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
