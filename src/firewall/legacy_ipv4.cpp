// iptables-legacy, IPv4: libip4tc.
#include <arpa/inet.h>
// libiptc headers lack extern "C".
extern "C" {
#include <libiptc/libiptc.h>
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

LegacyRule take_apart(const ipt_entry* e, const char* target, const std::string& table,
                      const std::string& chain, int pos) {
  LegacyRule r;
  r.table = table;
  r.chain = chain;
  r.position = pos;
  r.packets = e->counters.pcnt;
  r.bytes = e->counters.bcnt;
  const ipt_ip& ip = e->ip;
  // iptables-save's order: -s -d -i -o -p -f (print_rule4 / save_rule_details).
  for (std::string h :
       {save_ipv4_addr('s', ip.src, ip.smsk, ip.invflags & IPT_INV_SRCIP),
        save_ipv4_addr('d', ip.dst, ip.dmsk, ip.invflags & IPT_INV_DSTIP),
        save_iface('i', ip.iniface, ip.iniface_mask, ip.invflags & IPT_INV_VIA_IN),
        save_iface('o', ip.outiface, ip.outiface_mask, ip.invflags & IPT_INV_VIA_OUT),
        save_proto(ip.proto, ip.invflags & XT_INV_PROTO)})
    if (!h.empty()) r.header.push_back(h);
  if (ip.flags & IPT_F_FRAG)
    r.header.push_back(std::string(ip.invflags & IPT_INV_FRAG ? "! " : "") + "-f");
  r.proto = ip.proto;
  r.invflags = ip.invflags;
  r.is_goto = ip.flags & IPT_F_GOTO;
  take_entry_blobs(e, target, r);
  return r;
}

}  // namespace

void collect_iptables_legacy(Firewall& fw) {
  bool loaded = false;
  auto tables = legacy_table_names("ip_tables_names", loaded);
  if (loaded && tables.empty() && access(proc_net_path("ip_tables_names").c_str(), R_OK) != 0)
    fw.notes.push_back(
        "iptables-legacy: cannot read ip_tables_names (run as root); legacy rules not checked");
  std::vector<LegacyRule> rules;
  for (const auto& table : tables) {
    xtc_handle* h = iptc_init(table.c_str());
    if (!h) {
      fw.notes.push_back("iptables-legacy: table " + table + ": " + iptc_strerror(errno));
      continue;
    }
    for (const char* chain = iptc_first_chain(h); chain; chain = iptc_next_chain(h)) {
      if (iptc_builtin(chain, h)) {
        xt_counters c{};
        const char* policy = iptc_get_policy(chain, &c, h);
        if (policy) add_legacy_chain(fw, table, chain, policy, c.pcnt, c.bcnt, false);
      }
      int pos = 0;
      for (const ipt_entry* e = iptc_first_rule(chain, h); e; e = iptc_next_rule(e, h)) {
        rules.push_back(take_apart(e, iptc_get_target(e, h), table, chain, ++pos));
      }
    }
    iptc_free(h);
  }
  add_legacy_rules(fw, rules, false);
}

}  // namespace pktloss
