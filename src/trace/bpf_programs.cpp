#include "trace/bpf_programs.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "collect/proc_read.h"
#include "trace/libbpf_lazy.h"

namespace pktloss {
namespace {

// The ids one namespace's devices name, XDP first, each once, in the order found.
std::vector<uint32_t> ids_named(const NetnsSnapshot& ns) {
  std::vector<uint32_t> ids;
  std::set<uint32_t> seen;
  auto add = [&](uint32_t id) {
    if (id != 0 && seen.insert(id).second) ids.push_back(id);
  };
  for (const auto& l : ns.links) {
    for (const auto& x : l.xdp) add(x.prog_id);
    for (const auto& x : l.peer_xdp) add(x.prog_id);
  }
  for (const auto& f : ns.tc_filters) add(f.bpf_id);
  return ids;
}

// Why a program could not be read, in words a user acts on.
std::string read_error(int err) {
  if (err == EPERM || err == EACCES)
    return "reading a program by id needs CAP_SYS_ADMIN (" + std::string(std::strerror(err)) + ")";
  if (err == ENOENT) return "unloaded since the devices were read";
  return std::strerror(err);
}

struct Lookup {
  BpfProgram program;
  std::string error;  // empty when read
};

Lookup look_up(uint32_t id) {
  Lookup r;
  r.program.id = id;
  int fd = bpf_prog_get_fd_by_id(id);
  if (fd < 0) {
    r.error = read_error(fd == -1 ? errno : -fd);
    return r;
  }
  bpf_prog_info info = {};
  __u32 len = sizeof info;
  int rc = bpf_obj_get_info_by_fd(fd, &info, &len);
  int err = errno;
  close(fd);
  if (rc != 0) {
    r.error = read_error(rc == -1 ? err : -rc);
    return r;
  }
  const char* type = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(info.type));
  r.program = bpf_program_from_info(id, info, type);
  return r;
}

}  // namespace

BpfProgram bpf_program_from_info(uint32_t id, const bpf_prog_info& info, const char* type_name) {
  BpfProgram p;
  p.id = id;
  p.info_read = true;
  p.name.assign(info.name, strnlen(info.name, sizeof info.name));
  p.type = type_name ? type_name : std::to_string(info.type);
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : info.tag) {
    p.tag += kHex[c >> 4];
    p.tag += kHex[c & 15];
  }
  p.run_cnt = info.run_cnt;
  p.run_time_ns = info.run_time_ns;
  return p;
}

bool bpf_stats_enabled_from_text(const std::string& text) {
  return text == "1" || text == "1\n";
}

void collect_bpf_programs(std::vector<NetnsSnapshot>& namespaces) {
  std::vector<std::vector<uint32_t>> named;
  named.reserve(namespaces.size());
  bool any = false;
  for (const auto& ns : namespaces) {
    named.push_back(ids_named(ns));
    any |= !named.back().empty();
  }
  if (!any) return;

  auto text = read_proc_file("/proc/sys/kernel/bpf_stats_enabled");
  bool stats = text && bpf_stats_enabled_from_text(*text);
  std::string why;
  bool lib = libbpf_loaded(why);
  std::map<uint32_t, Lookup> found;  // one lookup per id for the whole snapshot
  for (size_t i = 0; i < namespaces.size(); ++i) {
    NetnsSnapshot& ns = namespaces[i];
    if (named[i].empty()) continue;
    ns.bpf_stats_enabled = stats;
    ns.bpf_programs.clear();
    std::map<std::string, std::string> failed;  // error -> "12, 57"
    for (uint32_t id : named[i]) {
      auto it = found.find(id);
      if (it == found.end()) {
        Lookup l;
        if (lib) {
          l = look_up(id);
        } else {
          l.program.id = id;
          l.error = why;
        }
        it = found.emplace(id, std::move(l)).first;
      }
      ns.bpf_programs.push_back(it->second.program);
      if (!it->second.error.empty()) {
        std::string& ids = failed[it->second.error];
        ids += (ids.empty() ? "" : ", ") + std::to_string(id);
      }
    }
    for (const auto& [error, ids] : failed)
      ns.notes.push_back("bpf programs: ids only for program " + ids + ": " + error);
  }
}

}  // namespace pktloss
