#pragma once
// Renders libnftables JSON rule expressions back into nft syntax ("tcp dport 80 numgen random
// mod 10 < 3 counter drop") and reads off what makes a rule dangerous. Pure: no I/O.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pktloss {

// One statement / expression of a rule's "expr" array in nft syntax. Counters print as plain
// `counter` (their values are evidence, not part of the rule).
std::string render_nft_stmt(const nlohmann::json& stmt);
// A whole rule: statements joined by spaces, plus ` comment "..."` when the rule has one.
std::string render_nft_rule(const nlohmann::json& rule);

// The rule's final verdict: "drop", "reject", "accept", "jump", "goto", "return", "continue",
// "queue", "vmap", an xt target name in lower case, or "" when it has none.
std::string nft_rule_verdict(const nlohmann::json& exprs);

// The rule's own nft text (from libnftables' listing) with `counter` inserted before its final
// verdict statement, found from the rule's structure: the last JSON statement must be the verdict
// and the text must end with that statement (and the rule's comment). nullopt with `why` when it
// cannot be done safely (a verdict map, a comment nft cannot quote, text that does not line up).
std::optional<std::string> nft_text_with_counter(const nlohmann::json& rule,
                                                 const std::string& text, std::string& why);

struct NftRuleFacts {
  std::vector<std::string> traits;  // "random", "nth", "matches-all", "ct-invalid", ...
  std::vector<uint16_t> dports;     // destination ports the rule matches (==, in)
  bool has_counter = false;
  uint64_t packets = 0, bytes = 0;
};
NftRuleFacts nft_rule_facts(const nlohmann::json& exprs);

}  // namespace pktloss
