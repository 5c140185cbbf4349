#pragma once
// Network namespaces: find them by name, by process, or all of them; run code inside one.
//
// setns() switches only the calling thread, so work runs on a fresh worker thread and the main
// thread never leaves its namespace. Inside, read /proc/thread-self/net/*, never /proc/net/*:
// /proc/net follows the thread-group leader, which stays in the original namespace.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/netns_id.h"

namespace pktloss {

struct NetnsTarget {
  std::string name;  // id.display(): "host", a /run/netns name, "pid:1234", "netns/host"
  std::string path;  // file whose open fd setns() takes; empty: the current namespace
  uint64_t inode = 0;
  NetnsId id;  // the typed identity; name is its canonical spelling
};

// The namespace this process runs in.
NetnsTarget current_netns();
// A named namespace under /run/netns. Throws std::runtime_error with a one-line message.
NetnsTarget netns_by_name(const std::string& name);
// The namespace of a process (a container's). Throws std::runtime_error.
NetnsTarget netns_by_pid(int pid);
// Every distinct namespace: /run/netns names first, then /proc/*/ns/net not already seen.
std::vector<NetnsTarget> all_netns();
// The name a namespace inode is known by (NetnsId::display(): "host", a /run/netns name), or
// "netns:INODE".
std::string netns_name_for_inode(uint64_t inode);

// Runs fn in the namespace on a worker thread and waits. Exceptions from fn are rethrown here.
// Throws std::runtime_error when the namespace cannot be entered (vanished, no privilege).
void run_in_netns(const NetnsTarget& target, const std::function<void()>& fn);

// Path of a per-namespace /proc/net file for the calling thread: "/proc/thread-self/net/<rel>".
std::string proc_net_path(const std::string& rel);

}  // namespace pktloss
