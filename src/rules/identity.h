#pragma once
// Objects that kept their name during the window but are not the same object: a link deleted
// and re-created (new ifindex, counters from zero), an nft rule handle that now names another
// rule (ruleset flushed and re-added). Their counters must not be compared with the old
// object's, and the report says once per namespace what changed.
#include <string>
#include <vector>

#include "model/snapshot.h"

namespace pktloss {

// The same link in both snapshots: same name and same ifindex.
bool same_link(const Link& before, const Link& after);
// The same qdisc: same device (by ifindex: a re-created device starts over) and handle.
bool same_qdisc_device(const Qdisc& before, const Qdisc& after);
// The same firewall rule: nft rules by handle and text (a handle can be reused after a flush),
// legacy rules (positions only) by text.
bool same_rule(const FirewallRule& before, const FirewallRule& after);

// One note per kind of change in this namespace ("" prefix; the engine adds the namespace).
std::vector<std::string> identity_notes(const NetnsSnapshot& before, const NetnsSnapshot& after);

}  // namespace pktloss
