// Per-CPU softnet statistics. The numbers are host-wide (per CPU, not per namespace), but the file
// is read from the thread's namespace like every other /proc/net file so that it works anywhere.
#include "collect/collectors.h"
#include "collect/proc_note.h"
#include "collect/proc_parse.h"
#include "collect/proc_read.h"
#include "netns/netns.h"

namespace pktloss {

void collect_softnet(NetnsSnapshot& ns) {
  std::string err;
  auto text = read_proc_file(proc_net_path("softnet_stat"), &err);
  if (!text) {
    ns.notes.push_back("/proc/net/softnet_stat unreadable: " + err);
    return;
  }
  ParseProblems problems;
  ns.softnet = parse_softnet_stat(*text, problems);
  std::string note = parse_problems_note("/proc/net/softnet_stat", problems);
  if (!note.empty()) ns.notes.push_back(note);
}

}  // namespace pktloss
