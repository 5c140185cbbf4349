#include "collect/snapshot_taker.h"

#include <unistd.h>

#include <ctime>
#include <exception>

#include "collect/collectors.h"
#include "util/clock.h"

namespace pktloss {
namespace {

NetnsSnapshot collect_one(const NetnsTarget& target, const CollectOptions& opts) {
  NetnsSnapshot ns;
  ns.name = target.name;
  ns.inode = target.inode;
  try {
    run_in_netns(target, [&] {
      collect_links(ns, opts);
      collect_qdiscs(ns);
      collect_routes(ns);
      collect_proc_counters(ns);
      collect_softnet(ns);
      collect_sysctls(ns);
      if (opts.sockets) collect_sockets(ns, opts);
      if (opts.firewall) {
        collect_conntrack(ns);
        collect_firewall(ns);
      }
    });
  } catch (const std::exception& e) {
    ns.entered = false;
    ns.notes.push_back(e.what());
  }
  return ns;
}

}  // namespace

Snapshot take_snapshot(const std::vector<NetnsTarget>& targets, const CollectOptions& opts) {
  Snapshot snap;
  snap.monotonic_s = monotonic_seconds();
  snap.taken_at = rfc3339_now();
  snap.host = host_name();
  for (const auto& t : targets) snap.namespaces.push_back(collect_one(t, opts));
  return snap;
}

}  // namespace pktloss
