#pragma once
// Reads the nftables ruleset of the calling thread's network namespace: libnftables for the
// JSON ruleset, libnftnl for what the JSON leaves out (xt blobs, base chain counters). Both open
// their netlink sockets in the calling thread, so run them inside run_in_netns().
#include <optional>
#include <string>

#include "firewall/ruleset.h"

namespace pktloss {

// `list ruleset` as JSON with handles. On failure returns nullopt and sets `error` (one line).
std::optional<std::string> nft_list_ruleset_json(std::string& error);

// `list ruleset` as text, the way `nft -a -s list ruleset` prints it (handles, no counter values).
std::optional<std::string> nft_list_ruleset_text(std::string& error);

// Dumps rules (only when want_xt) and chains over NFNETLINK. Returns false with `error` set.
bool nftnl_raw_facts(bool want_xt, NftRawFacts& out, std::string& error);

}  // namespace pktloss
