// libFuzzer target: the /proc text parsers of src/collect (procfs text is untrusted: another
// kernel's layout, a truncated read, a hostile mount over /proc). Byte 0 picks the parser, the
// rest is the file's text. Every parser must return (never throw) and report what it skipped.
#include <string>
#include <string_view>

#include "collect/neigh_stat.h"
#include "collect/proc_note.h"
#include "collect/proc_parse.h"
#include "collect/socket_owner.h"
#include "fuzz/fuzz_entry.h"
#include "model/netns_id.h"

using namespace pktloss;

PKTLOSS_FUZZ_TARGET(fuzz_proc_text) {
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  ParseProblems problems;
  CounterMap counters;
  switch (data[0] % 9) {
    case 0:  // /proc/net/snmp, /proc/net/netstat
      parse_snmp_pairs(text, counters, problems);
      break;
    case 1:  // /proc/net/snmp6
      parse_snmp6(text, counters, problems);
      break;
    case 2:  // /proc/net/softnet_stat
      (void)parse_softnet_stat(text, problems);
      break;
    case 3:  // /proc/net/stat/nf_conntrack
      counters = parse_nf_conntrack_stat(text, problems);
      break;
    case 4:  // /proc/net/stat/arp_cache, ndisc_cache
      (void)parse_neigh_stat(std::string(text));
      break;
    case 5:  // a /proc/sys value, then read as a number the way the collectors do
      (void)parse_u64(normalize_sysctl_value(text));
      break;
    case 6:
      (void)parse_u64(text, 16);
      break;
    case 7:  // /proc/<pid>/fd/<n> link targets
      (void)socket_inode_from_link(text);
      break;
    case 8: {  // a namespace name as the report spells it, read back: display() is canonical
      NetnsId id = NetnsId::parse(std::string(text));
      if (NetnsId::parse(id.display()).display() != id.display()) __builtin_trap();
      break;
    }
  }
  (void)parse_problems_note("/proc/net/snmp", problems);
  return 0;
}
