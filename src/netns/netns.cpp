#include "netns/netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pktloss {
namespace {

const char* kRunNetns = "/run/netns";

std::optional<uint64_t> inode_of(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<uint64_t>(st.st_ino);
}

bool valid_netns_name(const std::string& name) {
  if (name.empty() || name.size() > 255 || name == "." || name == "..") return false;
  return name.find('/') == std::string::npos;
}

std::vector<std::string> run_netns_names() {
  std::vector<std::string> names;
  DIR* d = opendir(kRunNetns);
  if (!d) return names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  return names;
}

NetnsTarget make_target(NetnsId id, std::string path) {
  return {id.display(), std::move(path), id.inode, id};
}

}  // namespace

NetnsTarget current_netns() {
  uint64_t inode = inode_of("/proc/self/ns/net").value_or(0);
  // The initial namespace is the host's; anything else is named by how the caller found us.
  auto init = inode_of("/proc/1/ns/net");
  if (!init || *init == inode) return make_target(NetnsId::host(inode), "");
  NetnsId id = NetnsId::unnamed(inode);
  for (const auto& n : run_netns_names()) {
    auto ino = inode_of(std::string(kRunNetns) + "/" + n);
    if (ino && *ino == inode) id = NetnsId::named(n, inode);
  }
  return make_target(id, "");
}

NetnsTarget netns_by_name(const std::string& name) {
  if (!valid_netns_name(name)) throw std::runtime_error("invalid namespace name '" + name + "'");
  std::string path = std::string(kRunNetns) + "/" + name;
  auto ino = inode_of(path);
  if (!ino) throw std::runtime_error("no network namespace '" + name + "' under /run/netns");
  return make_target(NetnsId::named(name, *ino), path);
}

// A kernel thread (PF_KTHREAD in /proc/PID/stat's flags) shares init's namespace and owns no
// sockets: as a -p target it is a mistake (a typo'd pid), not a namespace to report on.
static bool is_kernel_thread(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(f, stat);
  auto close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(stat.substr(close + 1));
  std::string field;
  unsigned long flags = 0;
  // state ppid pgrp session tty_nr tpgid flags
  for (int i = 0; i < 6 && rest >> field; ++i) {
  }
  if (!(rest >> flags)) return false;
  constexpr unsigned long kPfKthread = 0x00200000;
  return (flags & kPfKthread) != 0;
}

NetnsTarget netns_by_pid(int pid) {
  if (pid <= 0) throw std::runtime_error("invalid pid " + std::to_string(pid));
  if (is_kernel_thread(pid))
    throw std::runtime_error("pid " + std::to_string(pid) +
                             " is a kernel thread; -p takes the pid of a process");
  std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  auto ino = inode_of(path);
  if (!ino)
    throw std::runtime_error("cannot read the network namespace of pid " + std::to_string(pid) +
                             ": " + std::strerror(errno));
  return make_target(NetnsId::process(pid, *ino), path);
}

std::vector<NetnsTarget> all_netns() {
  std::vector<NetnsTarget> out;
  std::set<uint64_t> seen;
  NetnsTarget self = current_netns();
  auto init = inode_of("/proc/1/ns/net");
  if (init && *init == self.inode) {
    out.push_back(self);
    seen.insert(self.inode);
  }
  for (const auto& n : run_netns_names()) {
    auto ino = inode_of(std::string(kRunNetns) + "/" + n);
    if (ino && seen.insert(*ino).second)
      out.push_back(make_target(NetnsId::named(n, *ino), std::string(kRunNetns) + "/" + n));
  }
  DIR* d = opendir("/proc");
  if (d) {
    while (dirent* e = readdir(d)) {
      char* end = nullptr;
      long pid = std::strtol(e->d_name, &end, 10);
      if (*end != '\0' || pid <= 0) continue;
      std::string path = "/proc/" + std::string(e->d_name) + "/ns/net";
      auto ino = inode_of(path);
      if (ino && seen.insert(*ino).second)
        out.push_back(make_target(init && *ino == *init
                                      ? NetnsId::host(*ino)
                                      : NetnsId::process(static_cast<int>(pid), *ino),
                                  path));
    }
    closedir(d);
  }
  return out;
}

std::string netns_name_for_inode(uint64_t inode) {
  auto init = inode_of("/proc/1/ns/net");
  if (init && *init == inode) return NetnsId::host(inode).display();
  for (const auto& n : run_netns_names()) {
    auto ino = inode_of(std::string(kRunNetns) + "/" + n);
    if (ino && *ino == inode) return NetnsId::named(n, inode).display();
  }
  return NetnsId::unnamed(inode).display();
}

void run_in_netns(const NetnsTarget& target, const std::function<void()>& fn) {
  if (target.path.empty()) {
    // Still a worker thread: callers rely on /proc/thread-self/net being this namespace either way.
    std::exception_ptr err;
    std::thread([&] {
      try {
        fn();
      } catch (...) {
        err = std::current_exception();
      }
    }).join();
    if (err) std::rethrow_exception(err);
    return;
  }
  int fd = open(target.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error("cannot open namespace " + target.name + " (" + target.path +
                             "): " + std::strerror(errno));
  std::exception_ptr err;
  std::thread([&] {
    try {
      // CLONE_NEWNET setns affects only this thread; the thread ends with the work, so the
      // process never has a thread left in a namespace it did not start in.
      if (setns(fd, CLONE_NEWNET) != 0)
        throw std::runtime_error("cannot enter namespace " + target.name + ": " +
                                 std::strerror(errno));
      fn();
    } catch (...) {
      err = std::current_exception();
    }
  }).join();
  close(fd);
  if (err) std::rethrow_exception(err);
}

std::string proc_net_path(const std::string& rel) {
  return "/proc/thread-self/net/" + rel;
}

}  // namespace pktloss
