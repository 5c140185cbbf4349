// Conntrack table size and per-CPU statistics of the calling thread's namespace.
#include <string>

#include "collect/collectors.h"
#include "collect/proc_note.h"
#include "collect/proc_parse.h"
#include "collect/proc_read.h"
#include "netns/netns.h"

namespace pktloss {
namespace {

std::optional<uint64_t> read_number(const std::string& path) {
  auto text = read_proc_file(path, nullptr, nullptr, 4096);
  if (!text) return std::nullopt;
  return parse_u64(normalize_sysctl_value(*text));
}

}  // namespace

void collect_conntrack(NetnsSnapshot& ns) {
  const std::string dir = "/proc/sys/net/netfilter/";
  auto count = read_number(dir + "nf_conntrack_count");
  if (!count) {
    // No nf_conntrack module (or not in this namespace): nothing is tracked, nothing drops there.
    ns.conntrack.available = false;
    ns.notes.push_back("conntrack: not available (nf_conntrack not loaded or not readable)");
    return;
  }
  ns.conntrack.available = true;
  ns.conntrack.count = *count;
  ns.conntrack.max = read_number(dir + "nf_conntrack_max").value_or(0);
  ns.conntrack.buckets = read_number(dir + "nf_conntrack_buckets").value_or(0);
  std::string err;
  auto stat = read_proc_file(proc_net_path("stat/nf_conntrack"), &err);
  if (!stat) {
    ns.notes.push_back("/proc/net/stat/nf_conntrack unreadable: " + err);
    return;
  }
  ParseProblems problems;
  ns.conntrack.stats = parse_nf_conntrack_stat(*stat, problems);
  std::string note = parse_problems_note("/proc/net/stat/nf_conntrack", problems);
  if (!note.empty()) ns.notes.push_back(note);
}

}  // namespace pktloss
