// iptables-legacy, IPv4: libip4tc.
#include <arpa/inet.h>
// libiptc headers lack extern "C".
extern "C" {
#include <libiptc/libiptc.h>
}

#include <cerrno>
#include <cstring>

#include <unistd.h>

#include "firewall/legacy.h"
#include "firewall/legacy_entry_blobs.h"
#include "netns/netns.h"

namespace pktloss {
namespace {

std::string addr(const in_addr& a, const in_addr& m) {
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  int len = mask_prefix_len(reinterpret_cast<const uint8_t*>(&m), sizeof m);
  if (len >= 0) return std::string(buf) + "/" + std::to_string(len);
  char mbuf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &m, mbuf, sizeof mbuf);
  return std::string(buf) + "/" + mbuf;
}

std::string iface(const char* name) {
  return std::string(name, strnlen(name, IFNAMSIZ));
}

LegacyRule take_apart(const ipt_entry* e, const char* target, const std::string& table,
                      const std::string& chain, int pos) {
  LegacyRule r;
  r.table = table;
  r.chain = chain;
  r.position = pos;
  r.packets = e->counters.pcnt;
  r.bytes = e->counters.bcnt;
  const ipt_ip& ip = e->ip;
  auto neg = [&](unsigned flag) { return (ip.invflags & flag) ? std::string("! ") : ""; };
  if (ip.smsk.s_addr || (ip.invflags & IPT_INV_SRCIP))
    r.header.push_back(neg(IPT_INV_SRCIP) + "-s " + addr(ip.src, ip.smsk));
  if (ip.dmsk.s_addr || (ip.invflags & IPT_INV_DSTIP))
    r.header.push_back(neg(IPT_INV_DSTIP) + "-d " + addr(ip.dst, ip.dmsk));
  if (ip.iniface[0]) r.header.push_back(neg(IPT_INV_VIA_IN) + "-i " + iface(ip.iniface));
  if (ip.outiface[0]) r.header.push_back(neg(IPT_INV_VIA_OUT) + "-o " + iface(ip.outiface));
  if (ip.proto) r.header.push_back(neg(IPT_INV_PROTO) + "-p " + ipt_proto_name(ip.proto));
  if (ip.flags & IPT_F_FRAG) r.header.push_back(neg(IPT_INV_FRAG) + "-f");
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
        LegacyRule r = take_apart(e, iptc_get_target(e, h), table, chain, ++pos);
        add_legacy_rule(fw, r, false);
      }
    }
    iptc_free(h);
  }
}

}  // namespace pktloss
