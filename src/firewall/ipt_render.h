#pragma once
// Renders an iptables-nft rule (nft JSON expressions + the raw xt blobs of its compat matches and
// targets) in iptables-save syntax: "-A INPUT -p tcp -m tcp --dport 80 -j REJECT --reject-with
// tcp-reset". Pure: no I/O.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "firewall/xt_decode.h"
#include "firewall/xt_save.h"

namespace pktloss {

struct IptRendered {
  std::string spec;      // everything after "-A CHAIN": "-p tcp -m tcp --dport 80 -j DROP"
  bool complete = true;  // false: some expression could not be rendered in iptables syntax
  std::vector<std::string> traits;
  std::vector<uint16_t> dports;
  std::string verdict;  // "drop", "reject", "accept", "jump", "log", ... ("" none)
  bool matches_all = true;
  std::string partial_reason;  // why the text may differ from iptables-save ("" when exact)
};

// Prints one xt item the way its libxtables extension does; nullopt when it cannot.
using XtTextFn =
    std::function<std::optional<std::string>(const XtSaveItem&, const std::string& family)>;

// family "ip" or "ip6"; xt: the rule's xt blobs in expression order (may be fewer than needed:
// the rendering is then incomplete).
// xt_text: the libxtables printer (empty in pure tests: the built-in decoder stands in). Native
// nft expressions iptables-nft made from tcp/udp/mark/limit options are turned back into the
// xt blobs iptables-nft's own parser would build, and printed the same way.
IptRendered render_ipt_rule(const nlohmann::json& exprs, const std::vector<XtBlob>& xt,
                            const std::string& family, const XtTextFn& xt_text = {});

// "-A INPUT" + (spec.empty() ? "" : " " + spec)
std::string ipt_rule_text(const std::string& chain, const std::string& spec);

}  // namespace pktloss
