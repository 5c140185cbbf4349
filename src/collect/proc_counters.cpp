// Protocol counters of the calling thread's namespace: /proc/thread-self/net/{snmp,netstat,snmp6}.
#include <string>

#include "collect/collectors.h"
#include "collect/proc_note.h"
#include "collect/proc_parse.h"
#include "collect/proc_read.h"
#include "netns/netns.h"

namespace pktloss {
namespace {

template <typename Parser>
void read_counters(NetnsSnapshot& ns, const char* rel, Parser parse, bool optional) {
  std::string err;
  auto text = read_proc_file(proc_net_path(rel), &err);
  std::string shown = std::string("/proc/net/") + rel;
  if (!text) {
    // snmp6 is absent when IPv6 is disabled; that is a fact, not a failure worth a note.
    if (!optional) ns.notes.push_back(shown + " unreadable: " + err);
    return;
  }
  ParseProblems problems;
  parse(*text, ns.snmp, problems);
  std::string note = parse_problems_note(shown, problems);
  if (!note.empty()) ns.notes.push_back(note);
}

}  // namespace

void collect_proc_counters(NetnsSnapshot& ns) {
  read_counters(ns, "snmp", parse_snmp_pairs, false);
  read_counters(ns, "netstat", parse_snmp_pairs, false);
  read_counters(ns, "snmp6", parse_snmp6, true);
}

}  // namespace pktloss
