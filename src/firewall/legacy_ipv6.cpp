// ip6tables-legacy, IPv6: libip6tc.
#include <arpa/inet.h>
// libiptc headers lack extern "C".
extern "C" {
#include <libiptc/libip6tc.h>
}

#include <cerrno>
#include <cstring>

#include <unistd.h>

#include "firewall/legacy.h"
#include "firewall/legacy_entry_blobs.h"
#include "netns/netns.h"

namespace pktloss {
namespace {

std::string addr(const in6_addr& a, const in6_addr& m) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &a, buf, sizeof buf);
  int len = mask_prefix_len(reinterpret_cast<const uint8_t*>(&m), sizeof m);
  if (len >= 0) return std::string(buf) + "/" + std::to_string(len);
  char mbuf[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &m, mbuf, sizeof mbuf);
  return std::string(buf) + "/" + mbuf;
}

bool nonzero(const in6_addr& a) {
  for (auto b : a.s6_addr)
    if (b) return true;
  return false;
}

std::string iface(const char* name) {
  return std::string(name, strnlen(name, IFNAMSIZ));
}

LegacyRule take_apart(const ip6t_entry* e, const char* target, const std::string& table,
                      const std::string& chain, int pos) {
  LegacyRule r;
  r.table = table;
  r.chain = chain;
  r.position = pos;
  r.packets = e->counters.pcnt;
  r.bytes = e->counters.bcnt;
  const ip6t_ip6& ip = e->ipv6;
  auto neg = [&](unsigned flag) { return (ip.invflags & flag) ? std::string("! ") : ""; };
  if (nonzero(ip.smsk) || (ip.invflags & IP6T_INV_SRCIP))
    r.header.push_back(neg(IP6T_INV_SRCIP) + "-s " + addr(ip.src, ip.smsk));
  if (nonzero(ip.dmsk) || (ip.invflags & IP6T_INV_DSTIP))
    r.header.push_back(neg(IP6T_INV_DSTIP) + "-d " + addr(ip.dst, ip.dmsk));
  if (ip.iniface[0]) r.header.push_back(neg(IP6T_INV_VIA_IN) + "-i " + iface(ip.iniface));
  if (ip.outiface[0]) r.header.push_back(neg(IP6T_INV_VIA_OUT) + "-o " + iface(ip.outiface));
  if (ip.proto) r.header.push_back(neg(IP6T_INV_PROTO) + "-p " + ipt_proto_name(ip.proto));
  r.is_goto = ip.flags & IP6T_F_GOTO;
  take_entry_blobs(e, target, r);
  return r;
}

}  // namespace

void collect_ip6tables_legacy(Firewall& fw) {
  bool loaded = false;
  auto tables = legacy_table_names("ip6_tables_names", loaded);
  if (loaded && tables.empty() && access(proc_net_path("ip6_tables_names").c_str(), R_OK) != 0)
    fw.notes.push_back(
        "ip6tables-legacy: cannot read ip6_tables_names (run as root); legacy rules not checked");
  for (const auto& table : tables) {
    xtc_handle* h = ip6tc_init(table.c_str());
    if (!h) {
      fw.notes.push_back("ip6tables-legacy: table " + table + ": " + ip6tc_strerror(errno));
      continue;
    }
    for (const char* chain = ip6tc_first_chain(h); chain; chain = ip6tc_next_chain(h)) {
      if (ip6tc_builtin(chain, h)) {
        xt_counters c{};
        const char* policy = ip6tc_get_policy(chain, &c, h);
        if (policy) add_legacy_chain(fw, table, chain, policy, c.pcnt, c.bcnt, true);
      }
      int pos = 0;
      for (const ip6t_entry* e = ip6tc_first_rule(chain, h); e; e = ip6tc_next_rule(e, h)) {
        LegacyRule r = take_apart(e, ip6tc_get_target(e, h), table, chain, ++pos);
        add_legacy_rule(fw, r, true);
      }
    }
    ip6tc_free(h);
  }
}

}  // namespace pktloss
