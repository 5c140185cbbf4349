#pragma once
// Argument vectors for the firewall tools' own commands, built from their listing syntax.
#include <optional>
#include <string>
#include <vector>

namespace pktloss {

// Splits an iptables-save rule line into the arguments iptables-restore would pass on: words
// separated by blanks, "..." groups with \x escaping x (iptables' add_param_to_argv). So the
// delete command gets exactly the bytes the tool printed, whatever a comment contains.
std::vector<std::string> split_ipt_save_args(const std::string& line);

// Matches whose iptables-save text does not parse back to the bytes the kernel holds (their
// kernel-private fields or defaults differ), so `iptables -D CHAIN <that text>` finds no rule:
// such rules are deleted by number or handle. Found by the conformance test.
bool xt_text_does_not_round_trip(const std::string& match_name);

// A table/chain name as one word of nft syntax: plain identifiers unchanged, anything else in
// double quotes; nullopt when nft has no way to write it (a '"' or a control byte).
std::optional<std::string> nft_name(const std::string& name);

}  // namespace pktloss
