#pragma once
// Renders an iptables-nft rule (nft JSON expressions + the raw xt blobs of its compat matches and
// targets) in iptables-save syntax: "-A INPUT -p tcp -m tcp --dport 80 -j REJECT --reject-with
// tcp-reset". Pure: no I/O.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "firewall/xt_decode.h"

namespace pktloss {

struct IptRendered {
  std::string spec;      // everything after "-A CHAIN": "-p tcp -m tcp --dport 80 -j DROP"
  bool complete = true;  // false: some expression could not be rendered in iptables syntax
  std::vector<std::string> traits;
  std::vector<uint16_t> dports;
  std::string verdict;  // "drop", "reject", "accept", "jump", "log", ... ("" none)
  bool matches_all = true;
};

// family "ip" or "ip6"; xt: the rule's xt blobs in expression order (may be fewer than needed:
// the rendering is then incomplete).
IptRendered render_ipt_rule(const nlohmann::json& exprs, const std::vector<XtBlob>& xt,
                            const std::string& family);

// "-A INPUT" + (spec.empty() ? "" : " " + spec)
std::string ipt_rule_text(const std::string& chain, const std::string& spec);

}  // namespace pktloss
