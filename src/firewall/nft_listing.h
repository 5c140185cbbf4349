#pragma once
// libnftables' own text listing (`nft -a -s list ruleset`: handles on, counter values off),
// split into rule lines keyed like the JSON rules, so a native nft rule is shown exactly as nft
// shows it. The JSON ruleset still gives the structure and the counters. Pure: no I/O.
#include <map>
#include <string>

namespace pktloss {

// "family table chain handle" (nft_rule_key) -> the rule's text without indentation and without
// the trailing " # handle N".
std::map<std::string, std::string> parse_nft_listing(const std::string& listing);

}  // namespace pktloss
