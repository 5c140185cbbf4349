#include "cli/command.h"
#include "cli/validators.h"

namespace pktloss {

void add_common_options(CLI::App& sub, CommonOptions& common) {
  auto* n = sub.add_option("-n,--netns", common.netns, "named network namespace (/run/netns)")
                ->check(non_empty());
  auto* p = sub.add_option("-p,--pid", common.pid, "the network namespace of this process")
                ->check(CLI::PositiveNumber);
  auto* c = sub.add_option("-c,--container", common.container,
                           "the network namespace of a Docker, Podman or containerd container "
                           "(NAME, ID prefix, RUNTIME/NAME or pod/NAMESPACE/POD)");
  n->excludes(p);
  c->excludes(n);
  c->excludes(p);
  // -j as in iproute2 (ip -j, tc -j, ss has none): what operators type for JSON.
  sub.add_flag("-j,--json", common.json, "print the JSON report document");
  sub.add_flag("--no-color", common.no_color, "no colour even on a terminal");
  sub.add_flag("-v,--verbose", common.verbose, "more detail");
  sub.add_option("--ready-fd", common.ready_fd,
                 "write \"ready\" to this file descriptor once the window is open (for scripts)")
      ->check(CLI::Range(0, 1 << 20));
}

}  // namespace pktloss
