#include "cli/command.h"
#include "cli/validators.h"

namespace pktloss {

void add_common_options(CLI::App& sub, CommonOptions& common) {
  auto* n = sub.add_option("-n,--netns", common.netns, "named network namespace (/run/netns)")
                ->check(non_empty());
  auto* p = sub.add_option("-p,--pid", common.pid, "the network namespace of this process")
                ->check(CLI::PositiveNumber);
  n->excludes(p);
  sub.add_flag("--json", common.json, "print the JSON report document");
  sub.add_flag("--no-color", common.no_color, "no colour even on a terminal");
  sub.add_flag("-v,--verbose", common.verbose, "more detail");
  sub.add_option("--ready-fd", common.ready_fd,
                 "write \"ready\" to this file descriptor once the window is open (for scripts)")
      ->check(CLI::Range(0, 1 << 20));
}

}  // namespace pktloss
