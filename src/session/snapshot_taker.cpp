#include "session/snapshot_taker.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>

#include "collect/collectors.h"
#include "collect/owner_candidates.h"
#include "firewall/collect_firewall.h"
#include "trace/bpf_programs.h"
#include "util/clock.h"

namespace pktloss {
namespace {

// PKTLOSS_PROFILE=1 prints what each collector cost to stderr (for bench/snapshot.sh).
struct CollectorTimer {
  bool on = std::getenv("PKTLOSS_PROFILE") != nullptr;
  template <typename Fn>
  void run(const char* what, const std::string& ns, Fn&& fn) {
    double t0 = on ? monotonic_seconds() : 0;
    fn();
    if (on)
      std::fprintf(stderr, "profile: %-10s %-14s %8.2f ms\n", ns.c_str(), what,
                   (monotonic_seconds() - t0) * 1000);
  }
};

NetnsSnapshot collect_one(const NetnsTarget& target, const CollectOptions& opts) {
  NetnsSnapshot ns;
  ns.name = target.name;
  ns.id = target.id;
  ns.inode = target.inode;
  CollectorTimer t;
  try {
    run_in_netns(target, [&] {
      t.run("links", ns.name, [&] { collect_links(ns, opts); });
      t.run("qdiscs", ns.name, [&] { collect_qdiscs(ns); });
      t.run("tcfilters", ns.name, [&] { collect_tc_filters(ns); });
      t.run("routes", ns.name, [&] { collect_routes(ns); });
      t.run("proc", ns.name, [&] { collect_proc_counters(ns); });
      t.run("softnet", ns.name, [&] { collect_softnet(ns); });
      t.run("sysctls", ns.name, [&] { collect_sysctls(ns); });
      if (opts.sockets) t.run("sockets", ns.name, [&] { collect_sockets(ns, opts); });
      if (opts.firewall) {
        t.run("conntrack", ns.name, [&] { collect_conntrack(ns); });
        t.run("firewall", ns.name, [&] { collect_firewall(ns); });
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
  // Program ids are host-wide: each one the devices named is read once, for all namespaces.
  {
    CollectorTimer t;
    t.run("bpfprogs", "all", [&] { collect_bpf_programs(snap.namespaces); });
  }
  // After the firewall is known (its ports make candidates), once for all namespaces.
  if (opts.sockets && opts.socket_owners) {
    CollectorTimer t;
    t.run("owners", "all", [&] { resolve_candidate_owners(snap.namespaces); });
  }
  return snap;
}

}  // namespace pktloss
