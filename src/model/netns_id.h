#pragma once
// Which network namespace: a typed value (how it is known, its name, pid and inode), not a
// packed string. Reports, findings and metric labels show it as one canonical string (display()),
// which parse() reads back, so a namespace created with `ip netns add host` is never taken for
// the host's own: it shows as "netns/host" and its fix runs under `ip netns exec host`.
#include <cstdint>
#include <string>

namespace pktloss {

enum class NetnsKind {
  host,     // the initial namespace (that of pid 1)
  named,    // a /run/netns entry (`ip netns add NAME`)
  process,  // known through a process holding it (-p PID, --all-netns)
  unnamed,  // known only by its inode (e.g. from a drop event)
};

struct NetnsId {
  NetnsKind kind = NetnsKind::host;
  std::string name;  // named: the /run/netns name
  int pid = 0;       // process: a process in it
  uint64_t inode = 0;

  static NetnsId host(uint64_t inode = 0) { return {NetnsKind::host, "", 0, inode}; }
  static NetnsId named(std::string name, uint64_t inode = 0) {
    return {NetnsKind::named, std::move(name), 0, inode};
  }
  static NetnsId process(int pid, uint64_t inode = 0) {
    return {NetnsKind::process, "", pid, inode};
  }
  static NetnsId unnamed(uint64_t inode) { return {NetnsKind::unnamed, "", 0, inode}; }

  // "host", the /run/netns name, "pid:N", "netns:INODE"; a /run/netns name that reads like one
  // of the others ("host", "pid:…", "netns:…") is shown as "netns/NAME" ('/' cannot occur in a
  // /run/netns name, so the spelling is unambiguous).
  std::string display() const;
  // The inverse of display() (the inode is not part of the string and stays 0).
  static NetnsId parse(const std::string& display);
};

}  // namespace pktloss
