#pragma once
// Small helpers shared by the ip, transport and socket rules (counters from /proc, sockets,
// sysctls). Pure: no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"
#include "rules/evidence.h"
#include "rules/netns_prefix.h"
#include "rules/rule_input.h"

namespace pktloss::proc_rules {

// Fix commands must run in the namespace the finding is about. note: advice after "#".
inline std::string in_ns(const NetnsSnapshot& ns, const Argv& argv, std::string_view note = {}) {
  return command_in_netns(ns.name, argv, note);
}

inline std::optional<uint64_t> parse_number(const std::string& s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

// Where a sysctl's value was found: this namespace, or the host's copy for global sysctls that
// only the initial namespace shows (netdev_max_backlog, netdev_budget, udp_mem).
struct SysctlValue {
  std::string value;
  bool from_host = false;
};

inline std::optional<SysctlValue> sysctl(const RuleInput& in, const std::string& name) {
  auto it = in.after.sysctls.find(name);
  if (it != in.after.sysctls.end()) return SysctlValue{it->second, false};
  for (const auto& ns : in.snapshot_after.namespaces) {
    if (ns.name != "host") continue;
    auto h = ns.sysctls.find(name);
    if (h != ns.sysctls.end()) return SysctlValue{h->second, true};
  }
  return std::nullopt;
}

inline std::optional<uint64_t> sysctl_u64(const RuleInput& in, const std::string& name) {
  auto v = sysctl(in, name);
  if (!v) return std::nullopt;
  return parse_number(v->value);
}

// `sysctl -w name=value`, in this namespace unless the sysctl is global (then on the host).
inline std::string sysctl_fix(const RuleInput& in, const std::string& name,
                              const std::string& value) {
  Argv cmd = {"sysctl", "-w", name + "=" + value};
  auto v = sysctl(in, name);
  if (v && v->from_host) return with_note(cmd, "global: run in the host namespace");
  if (!v && in.after.name != "host") return with_note(cmd, "global: run in the host namespace");
  return in_ns(in.after, cmd);
}

inline std::string socket_text(const Socket& s) {
  std::string addr = s.family == 10 /* AF_INET6 */ ? "[" + s.local_addr + "]" : s.local_addr;
  return s.proto + " " + addr + ":" + std::to_string(s.local_port);
}

inline std::string owners_text(const Socket& s) {
  if (s.owners.empty()) return "owner unknown";
  std::string out;
  for (const auto& o : s.owners) {
    if (!out.empty()) out += ", ";
    out += (o.comm.empty() ? std::string("?") : o.comm) + " (pid " + std::to_string(o.pid) + ")";
  }
  return out;
}

// Finds a socket's earlier self: same inode, or same proto/family/address/port/state when the
// inode is unknown. Indexed once, so matching 100k sockets stays linear.
class SocketMatcher {
 public:
  explicit SocketMatcher(const NetnsSnapshot* before) {
    if (!before) return;
    for (const auto& b : before->sockets) {
      if (b.inode)
        by_inode_.emplace(b.inode, &b);
      else
        by_key_.emplace(key(b), &b);
    }
  }
  const Socket* find(const Socket& s) const {
    if (s.inode) {
      auto it = by_inode_.find(s.inode);
      if (it != by_inode_.end()) return it->second;
    }
    auto it = by_key_.find(key(s));
    return it == by_key_.end() ? nullptr : it->second;
  }

 private:
  static std::string key(const Socket& s) {
    return s.proto + "|" + std::to_string(s.family) + "|" + s.local_addr + "|" +
           std::to_string(s.local_port) + "|" + s.state;
  }
  std::unordered_map<uint64_t, const Socket*> by_inode_;
  std::unordered_map<std::string, const Socket*> by_key_;
};

inline Finding new_finding(const RuleInput& in, const char* id, Layer layer) {
  Finding f;
  f.id = id;
  f.layer = layer;
  f.netns = in.after.name;
  return f;
}

inline const char* window_word(const RuleInput& in) {
  return in.windowed() ? "in the window" : "since the counters started (lifetime total, no window)";
}

// Doubles `current` (at least to `floor`): a fix that is a clear step up from what is set now.
inline uint64_t raised(uint64_t current, uint64_t floor = 0) {
  uint64_t v = current > UINT64_MAX / 2 ? current : current * 2;
  return v < floor ? floor : v;
}

// Sum of the deltas of several counters (lifetime values without a window).
inline uint64_t moved_sum(const RuleInput& in, const std::vector<std::string>& keys) {
  uint64_t sum = 0;
  for (const auto& k : keys) sum += moved(in.before ? &in.before->snmp : nullptr, in.after.snmp, k);
  return sum;
}

// Counter evidence for every key that is present (and nonzero somewhere) in this namespace.
inline void add_counter_evidence(const RuleInput& in, const std::string& source,
                                 const std::vector<std::string>& keys, Finding& f) {
  const CounterMap* b = in.before ? &in.before->snmp : nullptr;
  for (const auto& k : keys) {
    if (!in.after.snmp.count(k)) continue;
    if (counter_or_zero(in.after.snmp, k) == 0 && (!b || counter_or_zero(*b, k) == 0)) continue;
    Evidence e = counter_evidence(source, k, b, in.after.snmp);
    f.moved_in_window |= e.in_window;
    f.evidence.push_back(std::move(e));
  }
}

inline std::string snmp_source(const std::string& key) {
  if (key.rfind("TcpExt.", 0) == 0 || key.rfind("IpExt.", 0) == 0) return "/proc/net/netstat";
  if (key.find("6.") != std::string::npos) return "/proc/net/snmp6";
  return "/proc/net/snmp";
}

inline void add_counters(const RuleInput& in, const std::vector<std::string>& keys, Finding& f) {
  for (const auto& k : keys) add_counter_evidence(in, snmp_source(k), {k}, f);
}

}  // namespace pktloss::proc_rules
