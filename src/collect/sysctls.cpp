// The sysctls that decide drops, read from /proc/sys of the calling thread's namespace. Some are
// global (netdev_max_backlog, udp_mem, ...) and exist only in the initial namespace; there they
// are simply absent, and rules that need them look for the host namespace's copy.
#include <dirent.h>
#include <linux/netconf.h>
#include <net/if.h>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "collect/collectors.h"
#include "collect/netconf.h"
#include "collect/proc_parse.h"
#include "collect/proc_read.h"

namespace pktloss {
namespace {

// Dotted names whose path is the name with '.' -> '/'. Interface names may contain dots, so the
// per-interface ones are built from path components below instead.
constexpr const char* kSysctls[] = {
    "net.ipv4.ip_forward",
    "net.core.somaxconn",
    "net.ipv4.tcp_max_syn_backlog",
    "net.core.rmem_default",
    "net.core.rmem_max",
    "net.core.wmem_default",
    "net.core.wmem_max",
    "net.core.netdev_max_backlog",
    "net.core.netdev_budget",
    "net.core.netdev_budget_usecs",
    "net.ipv4.udp_mem",
    "net.ipv4.udp_rmem_min",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ipfrag_high_thresh",
    "net.ipv4.ipfrag_time",
    "net.ipv6.ip6frag_high_thresh",
    "net.ipv6.ip6frag_time",
};

// Upper bound on interfaces listed, so a namespace with 100k devices stays a fast snapshot.
constexpr size_t kMaxConfInterfaces = 4096;

bool read_one(const std::string& path, std::string& value) {
  auto text = read_proc_file(path, nullptr, nullptr, 4096);
  if (!text) return false;
  value = normalize_sysctl_value(*text);
  return true;
}

// /proc/sys/net/ipv4/conf/ lists all, default and every interface of this namespace.
void read_rp_filter_files(NetnsSnapshot& ns, size_t& found) {
  std::vector<std::string> confs;
  if (DIR* d = opendir("/proc/sys/net/ipv4/conf")) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      if (confs.size() >= kMaxConfInterfaces) {
        ns.notes.push_back("sysctls: more than " + std::to_string(kMaxConfInterfaces) +
                           " interfaces, rp_filter read for the first ones only");
        break;
      }
      confs.push_back(n);
    }
    closedir(d);
  }
  for (const auto& iface : confs) {
    std::string value;
    if (read_one("/proc/sys/net/ipv4/conf/" + iface + "/rp_filter", value)) {
      ns.sysctls["net.ipv4.conf." + iface + ".rp_filter"] = value;
      ++found;
    }
  }
}

}  // namespace

void collect_sysctls(NetnsSnapshot& ns) {
  size_t found = 0;
  for (const char* name : kSysctls) {
    std::string path = "/proc/sys/" + std::string(name);
    std::replace(path.begin() + 10, path.end(), '.', '/');
    std::string value;
    if (read_one(path, value)) {
      ns.sysctls[name] = value;
      ++found;
    }
  }
  // rp_filter per interface: one netconf dump names every interface by index (links are
  // collected first); /proc/sys/net/ipv4/conf/*/rp_filter is the fallback.
  if (auto rp = dump_ipv4_rp_filter(); rp && !rp->empty()) {
    auto put = [&](const std::string& iface, int v) {
      ns.sysctls["net.ipv4.conf." + iface + ".rp_filter"] = std::to_string(v);
      ++found;
    };
    for (const auto& [ifindex, v] : *rp) {
      if (ifindex == NETCONFA_IFINDEX_ALL) put("all", v);
      if (ifindex == NETCONFA_IFINDEX_DEFAULT) put("default", v);
    }
    std::unordered_map<int, const std::string*> names;
    for (const auto& l : ns.links) names.emplace(l.ifindex, &l.name);
    for (const auto& [ifindex, v] : *rp) {
      if (ifindex <= 0) continue;
      if (auto it = names.find(ifindex); it != names.end()) {
        put(*it->second, v);
      } else if (char buf[IF_NAMESIZE]; if_indextoname(static_cast<unsigned>(ifindex), buf)) {
        put(buf, v);  // links not collected (yet): ask the kernel for the name
      }
    }
    return;
  }
  read_rp_filter_files(ns, found);
  if (found == 0) ns.notes.push_back("sysctls: /proc/sys/net unreadable");
}

}  // namespace pktloss
