#pragma once
// iptables-legacy (x_tables through libiptc / libip6tc) in the calling thread's namespace. Only
// tables the namespace already has (/proc/thread-self/net/ip{,6}_tables_names) are opened:
// opening another one would make the kernel create it, and pktloss changes nothing.
#include <string>
#include <vector>

#include "firewall/xt_decode.h"
#include "model/firewall.h"

namespace pktloss {

void collect_iptables_legacy(Firewall& fw);   // legacy_ipv4.cpp
void collect_ip6tables_legacy(Firewall& fw);  // legacy_ipv6.cpp

// One legacy rule taken apart; legacy_common.cpp renders it and decides if it is a candidate.
struct LegacyRule {
  std::string table, chain;
  int position = 0;
  std::vector<std::string> header;  // "-s 10.0.0.0/8", "-i eth0", "-p tcp" in iptables-save order
  std::vector<XtBlob> matches;
  std::string target;  // "DROP", "ACCEPT", "REJECT", a chain name, "" for none
  XtBlob target_blob;  // for non-standard targets
  bool is_goto = false;
  uint16_t proto = 0;  // the header's protocol and inversion flags: save callbacks read them
  uint8_t invflags = 0;
  uint64_t packets = 0, bytes = 0;
};

// Appends the rules that drop or reject to fw, their matches and targets printed by libxtables
// (one forked child for all of them). ip6: ip6tables-legacy.
void add_legacy_rules(Firewall& fw, const std::vector<LegacyRule>& rules, bool ip6);
void add_legacy_chain(Firewall& fw, const std::string& table, const std::string& chain,
                      const std::string& policy, uint64_t packets, uint64_t bytes, bool ip6);
// Names of the legacy tables this namespace has; nullopt-like empty + note when unreadable.
std::vector<std::string> legacy_table_names(const std::string& proc_file, bool& module_loaded);

// Prefix length of a contiguous netmask given as bytes, or -1.
int mask_prefix_len(const uint8_t* mask, size_t len);

}  // namespace pktloss
