// Routes of every table (main, local, policy tables), failing neighbour entries and neighbour
// table statistics of the calling thread's namespace, through rtnetlink (libnl-route-3).
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <netlink/route/rtnl.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "collect/collectors.h"
#include "collect/neigh_stat.h"
#include "collect/nl_util.h"
#include "netns/netns.h"

namespace pktloss {
namespace {

using CachePtr = std::unique_ptr<nl_cache, decltype(&nl_cache_free)>;

std::string dev_name(const NetnsSnapshot& ns, int ifindex) {
  if (ifindex <= 0) return "";
  for (const auto& l : ns.links)
    if (l.ifindex == ifindex) return l.name;
  return "if" + std::to_string(ifindex);
}

std::string addr_text(nl_addr* a, bool prefix_zero_is_default) {
  if (!a) return "";
  if (prefix_zero_is_default && nl_addr_get_prefixlen(a) == 0) return "default";
  char buf[128] = {};
  nl_addr2str(a, buf, sizeof buf);
  return buf;
}

void collect_route_table(NetnsSnapshot& ns, nl_sock* sk) {
  nl_cache* raw = nullptr;
  if (int err = rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &raw); err < 0) {
    ns.notes.push_back(std::string("routes: cannot dump routes: ") + nl_geterror(err));
    return;
  }
  CachePtr cache(raw, &nl_cache_free);
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    auto* r = reinterpret_cast<rtnl_route*>(o);
    Route route;
    route.family = rtnl_route_get_family(r);
    route.dst = addr_text(rtnl_route_get_dst(r), true);
    char tbuf[32] = {};
    route.type = nl_rtntype2str(rtnl_route_get_type(r), tbuf, sizeof tbuf);
    route.table = rtnl_route_get_table(r);
    if (rtnl_route_get_nnexthops(r) > 0) {
      rtnl_nexthop* nh = rtnl_route_nexthop_n(r, 0);
      route.dev = dev_name(ns, rtnl_route_nh_get_ifindex(nh));
      route.gateway = addr_text(rtnl_route_nh_get_gateway(nh), false);
    }
    uint32_t mtu = 0;
    if (rtnl_route_get_metric(r, RTAX_MTU, &mtu) == 0) route.mtu = mtu;
    ns.routes.push_back(std::move(route));
  }
}

void collect_neighbours(NetnsSnapshot& ns, nl_sock* sk) {
  nl_cache* raw = nullptr;
  if (int err = rtnl_neigh_alloc_cache(sk, &raw); err < 0) {
    ns.notes.push_back(std::string("neighbours: cannot dump: ") + nl_geterror(err));
    return;
  }
  CachePtr cache(raw, &nl_cache_free);
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    auto* n = reinterpret_cast<rtnl_neigh*>(o);
    int state = rtnl_neigh_get_state(n);
    // Only entries that lose packets: the kernel queues then discards what waits on them.
    if (state < 0 || !(state & (NUD_FAILED | NUD_INCOMPLETE))) continue;
    Neighbour nb;
    nb.ifindex = rtnl_neigh_get_ifindex(n);
    nb.dev = dev_name(ns, nb.ifindex);
    nb.dst = addr_text(rtnl_neigh_get_dst(n), false);
    nb.state = (state & NUD_FAILED) ? "FAILED" : "INCOMPLETE";
    ns.neighbours.push_back(std::move(nb));
  }
}

// RTM_GETNEIGHTBL dump: one message per table carries NDTA_STATS (struct ndt_stats).
int on_neightbl(nl_msg* msg, void* arg) {
  auto& stats = *static_cast<NeighbourTableStats*>(arg);
  nlmsghdr* nlh = nlmsg_hdr(msg);
  nlattr* tb[NDTA_MAX + 1] = {};
  if (nlmsg_parse(nlh, sizeof(ndtmsg), tb, NDTA_MAX, nullptr) < 0) return NL_OK;
  if (!tb[NDTA_NAME] || !tb[NDTA_STATS]) return NL_OK;
  if (nla_len(tb[NDTA_STATS]) < static_cast<int>(sizeof(ndt_stats))) return NL_OK;
  const char* n = static_cast<const char*>(nla_data(tb[NDTA_NAME]));
  std::string table(n, strnlen(n, static_cast<size_t>(nla_len(tb[NDTA_NAME]))));
  ndt_stats s;
  std::memcpy(&s, nla_data(tb[NDTA_STATS]), sizeof s);
  // Several families may share a table name (none do today); sum rather than overwrite.
  stats[table + ".allocs"] += s.ndts_allocs;
  stats[table + ".destroys"] += s.ndts_destroys;
  stats[table + ".hash_grows"] += s.ndts_hash_grows;
  stats[table + ".res_failed"] += s.ndts_res_failed;
  stats[table + ".lookups"] += s.ndts_lookups;
  stats[table + ".hits"] += s.ndts_hits;
  stats[table + ".rcv_probes_mcast"] += s.ndts_rcv_probes_mcast;
  stats[table + ".rcv_probes_ucast"] += s.ndts_rcv_probes_ucast;
  stats[table + ".periodic_gc_runs"] += s.ndts_periodic_gc_runs;
  stats[table + ".forced_gc_runs"] += s.ndts_forced_gc_runs;
  stats[table + ".table_fulls"] += s.ndts_table_fulls;

  return NL_OK;
}

void collect_neighbour_stats(NetnsSnapshot& ns) {
  std::string error;
  NlSocket sk;
  if (!sk.connect(NETLINK_ROUTE, error)) {
    ns.notes.push_back("neighbour tables: rtnetlink unavailable: " + error);
    return;
  }
  nl_socket_modify_cb(sk.get(), NL_CB_VALID, NL_CB_CUSTOM, on_neightbl, &ns.neighbour_stats);
  ndtmsg m{};
  m.ndtm_family = AF_UNSPEC;
  int err = nl_send_simple(sk.get(), RTM_GETNEIGHTBL, NLM_F_DUMP, &m, sizeof m);
  if (err >= 0) err = nl_recvmsgs_default(sk.get());
  if (err < 0) ns.notes.push_back(std::string("neighbour tables: ") + nl_geterror(err));
}

// ndt_stats has no unresolved_discards (packets dropped while waiting for ARP/ND); only
// /proc/net/stat/<table> has it.
void read_proc_unresolved(NetnsSnapshot& ns, const std::string& table) {
  // The neighbour tables are global; only the initial namespace shows their /proc/net/stat file.
  std::ifstream f(proc_net_path("stat/" + table));
  if (!f) f.open("/proc/1/net/stat/" + table);
  if (!f) return;
  std::stringstream text;
  text << f.rdbuf();
  auto cols = parse_neigh_stat(text.str());
  if (auto it = cols.find("unresolved_discards"); it != cols.end())
    ns.neighbour_stats[table + ".unresolved_discards"] = it->second;
}

}  // namespace

void collect_routes(NetnsSnapshot& ns) {
  std::string error;
  NlSocket sk;
  if (!sk.connect(NETLINK_ROUTE, error)) {
    ns.notes.push_back("routes: rtnetlink unavailable: " + error);
    return;
  }
  collect_route_table(ns, sk.get());
  collect_neighbours(ns, sk.get());
  collect_neighbour_stats(ns);
  read_proc_unresolved(ns, "arp_cache");
  read_proc_unresolved(ns, "ndisc_cache");
}

}  // namespace pktloss
