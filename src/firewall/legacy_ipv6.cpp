// ip6tables-legacy, IPv6: libip6tc.
#include <arpa/inet.h>
// libiptc headers lack extern "C".
extern "C" {
#include <libiptc/libip6tc.h>
}

#include <cerrno>
#include <cstring>

#include <unistd.h>

#include "firewall/ipt_header.h"
#include "firewall/legacy.h"
#include "firewall/legacy_entry_blobs.h"
#include "netns/netns.h"

namespace pktloss {
namespace {

LegacyRule take_apart(const ip6t_entry* e, const char* target, const std::string& table,
                      const std::string& chain, int pos) {
  LegacyRule r;
  r.table = table;
  r.chain = chain;
  r.position = pos;
  r.packets = e->counters.pcnt;
  r.bytes = e->counters.bcnt;
  const ip6t_ip6& ip = e->ipv6;
  // ip6tables-save's order: -s -d -i -o -p (print_rule6 / save_rule_details).
  for (std::string h :
       {save_ipv6_addr('s', ip.src, ip.smsk, ip.invflags & IP6T_INV_SRCIP),
        save_ipv6_addr('d', ip.dst, ip.dmsk, ip.invflags & IP6T_INV_DSTIP),
        save_iface('i', ip.iniface, ip.iniface_mask, ip.invflags & IP6T_INV_VIA_IN),
        save_iface('o', ip.outiface, ip.outiface_mask, ip.invflags & IP6T_INV_VIA_OUT),
        save_proto(ip.proto, ip.invflags & XT_INV_PROTO)})
    if (!h.empty()) r.header.push_back(h);
  r.proto = ip.proto;
  r.invflags = ip.invflags;
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
  std::vector<LegacyRule> rules;
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
        rules.push_back(take_apart(e, ip6tc_get_target(e, h), table, chain, ++pos));
      }
    }
    ip6tc_free(h);
  }
  add_legacy_rules(fw, rules, true);
}

}  // namespace pktloss
