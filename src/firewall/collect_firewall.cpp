// The firewall collector: nftables (native and iptables-nft, every family) through libnftables
// JSON + libnftnl, iptables-legacy through libiptc. Runs in the calling thread's namespace.
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <exception>

#include "firewall/collect_firewall.h"
#include "firewall/legacy.h"
#include "firewall/nft_listing.h"
#include "firewall/nft_sources.h"
#include "firewall/ruleset.h"
#include "firewall/xt_save.h"

namespace pktloss {

namespace {

// Without CAP_NET_ADMIN the nftables dump fails, and libnftables prints to stderr on its own.
bool has_net_admin() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &hdr, data) != 0) return geteuid() == 0;
  return data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32));
}

}  // namespace

void collect_nftables(Firewall& fw) {
  if (!has_net_admin()) {
    fw.notes.push_back(
        "nftables: needs CAP_NET_ADMIN to read the ruleset (run as root); "
        "firewall rules not checked");
    return;
  }
  std::string error;
  auto text = nft_list_ruleset_json(error);
  if (!text) {
    fw.notes.push_back(error);
    return;
  }
  nlohmann::json ruleset = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (ruleset.is_discarded()) {
    fw.notes.push_back("nftables: libnftables returned JSON that does not parse; skipped");
    return;
  }
  NftRawFacts raw;
  if (!nftnl_raw_facts(ruleset_has_xt(ruleset), raw, error))
    fw.notes.push_back("nftables: " + error +
                       " (iptables-nft options and policy counters "
                       "missing)");
  // The rule text as nft itself lists it; the JSON stays for structure and counters.
  if (auto listing = nft_list_ruleset_text(error)) {
    raw.rule_text = parse_nft_listing(*listing);
    raw.has_rule_text = true;
  } else {
    fw.notes.push_back(error + " (native nft rules shown as pktloss renders them)");
  }
  parse_nft_ruleset(ruleset, raw, fw, xt_save);
}

void collect_firewall(NetnsSnapshot& ns) {
  Firewall& fw = ns.firewall;
  // nftables and both legacy tables all need CAP_NET_ADMIN: without it, one note for the part.
  if (!has_net_admin()) {
    fw.notes.push_back(
        "firewall: nftables and iptables-legacy rules need CAP_NET_ADMIN (run as root); "
        "firewall rules not checked");
    return;
  }
  // Each source degrades on its own: a failure in one never hides the others.
  try {
    collect_nftables(fw);
  } catch (const std::exception& e) {
    fw.notes.push_back(std::string("nftables: ") + e.what());
  }
  try {
    collect_iptables_legacy(fw);
  } catch (const std::exception& e) {
    fw.notes.push_back(std::string("iptables-legacy: ") + e.what());
  }
  try {
    collect_ip6tables_legacy(fw);
  } catch (const std::exception& e) {
    fw.notes.push_back(std::string("ip6tables-legacy: ") + e.what());
  }
}

}  // namespace pktloss
