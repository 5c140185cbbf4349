#pragma once
// ebtables-nft (bridge family) and arptables-nft (arp family) rules from nft JSON, in
// ebtables-save / arptables-save syntax. Anything not rendered marks the result incomplete, so
// the caller falls back to the exact nft handle instead of printing half a rule.
#include <nlohmann/json.hpp>

#include "firewall/ipt_render.h"

namespace pktloss {

IptRendered render_ebtables_rule(const nlohmann::json& exprs);
IptRendered render_arptables_rule(const nlohmann::json& exprs);

}  // namespace pktloss
