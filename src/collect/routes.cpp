// Routes of every table (main, local, policy tables) but the per-address kinds, failing
// neighbour entries and neighbour table statistics of the calling thread's namespace: rtnetlink
// dumps read straight into the model.
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "collect/chunked.h"
#include "collect/collectors.h"
#include "collect/neigh_stat.h"
#include "collect/proc_read.h"
#include "collect/route_parse.h"
#include "collect/rtnl_request.h"
#include "netns/netns.h"

namespace pktloss {
namespace {

// ifindex -> name; routes and neighbours name devices by index, thousands of them on a big host.
class DevNames {
 public:
  explicit DevNames(const NetnsSnapshot& ns) {
    names_.reserve(ns.links.size());
    for (const auto& l : ns.links) names_.emplace(l.ifindex, &l.name);
  }
  std::string operator()(int ifindex) const {
    if (ifindex <= 0) return "";
    auto it = names_.find(ifindex);
    return it != names_.end() ? *it->second : "if" + std::to_string(ifindex);
  }

 private:
  std::unordered_map<int, const std::string*> names_;
};

// Local, broadcast, anycast and multicast routes are what the kernel makes for every address
// and device (3 of every 4 routes of a host with 1,000 veths: local and ff00::/8 per device); they
// drop nothing, no rule reads them, and parsing, naming and de-duplicating them was a quarter of
// a snapshot's instructions there. Unicast, the drop types (blackhole, unreachable, prohibit),
// throw and nat are kept.
bool per_address_route(unsigned type) {
  return type == RTN_LOCAL || type == RTN_BROADCAST || type == RTN_ANYCAST || type == RTN_MULTICAST;
}

// Identity of a route for de-duplication, hashed field by field (no key string to build).
uint64_t route_identity(const Route& r) {
  uint64_t h = std::hash<std::string_view>{}(r.dst);
  auto mix = [&h](uint64_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  mix(static_cast<uint64_t>(r.family) << 32 | r.table);
  mix(std::hash<std::string_view>{}(r.type));
  mix(std::hash<std::string_view>{}(r.dev));
  mix(std::hash<std::string_view>{}(r.gateway));
  mix(r.mtu);
  return h;
}

void collect_route_table(NetnsSnapshot& ns, RtnlSocket& sk, const DevNames& dev) {
  std::string error;
  Chunked<Route> found;
  // A dump of a namespace whose IPv6 routes change meanwhile (thousands of fresh veths still
  // finishing DAD) restarts its tree walk per batch and sends routes again: measured at 10,000
  // interfaces, millions of copies of 30,000 routes (15 s, 186 MB). Each route is kept once.
  std::unordered_set<uint64_t> seen;
  auto on_route = [&](const nlmsghdr* m) {
    if (auto type = route_type_of(m); !type || per_address_route(*type)) return;
    if (auto p = route_from_nlmsg(m)) {
      Route& r = p->route;
      r.dev = dev(p->oif);
      if (!seen.insert(route_identity(r)).second) return;
      found.push_back(std::move(r));
    }
  };
  bool ok = sk.dump(RTM_GETROUTE, sizeof(rtmsg), AF_UNSPEC, on_route, error);
  found.move_into(ns.routes);  // what arrived before a failure still counts, as before
  if (!ok) ns.notes.push_back("routes: cannot dump routes: " + error);
}

void collect_neighbours(NetnsSnapshot& ns, RtnlSocket& sk, const DevNames& dev) {
  std::string error;
  auto on_neigh = [&](const nlmsghdr* m) {
    if (auto n = failing_neighbour_from_nlmsg(m)) {
      n->dev = dev(n->ifindex);
      ns.neighbours.push_back(std::move(*n));
    }
  };
  if (!sk.dump(RTM_GETNEIGH, sizeof(ndmsg), AF_UNSPEC, on_neigh, error))
    ns.notes.push_back("neighbours: cannot dump: " + error);
}

// Neighbour table statistics from /proc/net/stat/<table>: the same per-table counters as the
// RTM_GETNEIGHTBL dump's NDTA_STATS plus unresolved_discards (packets dropped while waiting for
// ARP/ND), which ndt_stats lacks. The dump is avoided on purpose: besides each table it sends the
// parameters of every device of EVERY namespace on the host (tbl->parms_list is global), and
// resumes by skipping from the start, so on a host with thousands of veths it cost more than
// all routes together; the /proc file is one small read.
void read_proc_neigh_stats(NetnsSnapshot& ns, const std::string& table) {
  // The neighbour tables are global; only the initial namespace shows their /proc/net/stat file.
  auto text = read_proc_file(proc_net_path("stat/" + table));
  if (!text) text = read_proc_file("/proc/1/net/stat/" + table);
  if (!text) {
    ns.notes.push_back("neighbour tables: no /proc/net/stat/" + table);
    return;
  }
  auto cols = parse_neigh_stat(*text);
  static const char* const kFields[] = {
      "allocs",           "destroys",       "hash_grows",       "res_failed",
      "lookups",          "hits",           "rcv_probes_mcast", "rcv_probes_ucast",
      "periodic_gc_runs", "forced_gc_runs", "table_fulls",      "unresolved_discards"};
  for (const char* k : kFields)
    if (auto it = cols.find(k); it != cols.end()) ns.neighbour_stats[table + "." + k] = it->second;
}

}  // namespace

void collect_routes(NetnsSnapshot& ns) {
  std::string error;
  RtnlSocket sk;
  if (!sk.open(error)) {
    ns.notes.push_back("routes: rtnetlink unavailable: " + error);
    return;
  }
  DevNames dev(ns);
  collect_route_table(ns, sk, dev);
  collect_neighbours(ns, sk, dev);
  read_proc_neigh_stats(ns, "arp_cache");
  read_proc_neigh_stats(ns, "ndisc_cache");
}

}  // namespace pktloss
