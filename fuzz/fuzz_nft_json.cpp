// libFuzzer target: a libnftables JSON document (`nft -j list ruleset`) into the firewall model,
// and every rule through the nft renderer, plus libnftables' text listing (`nft -a -s list
// ruleset`) that gives native rules their own text. Input: JSON, then optionally a NUL byte and
// the text listing. Nothing may throw out of these: a malformed part is a note.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "firewall/nft_listing.h"
#include "firewall/nft_render.h"
#include "firewall/ruleset.h"
#include "fuzz/fuzz_entry.h"

using namespace pktloss;
using nlohmann::json;

PKTLOSS_FUZZ_TARGET(fuzz_nft_json) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  std::string_view doc = in.substr(0, nul);
  NftRawFacts raw;
  if (nul != std::string_view::npos) {
    raw.rule_text = parse_nft_listing(std::string(in.substr(nul + 1)));
    raw.has_rule_text = true;
  }
  // As collect_nftables parses it: no exceptions, a discarded value when it is not JSON.
  json ruleset = json::parse(doc, nullptr, /*allow_exceptions=*/false);
  if (ruleset.is_discarded()) return 0;
  (void)ruleset_has_xt(ruleset);
  Firewall fw;
  parse_nft_ruleset(ruleset, raw, fw);
  // The renderer on each rule object directly (parse_nft_ruleset renders only rules that drop).
  if (ruleset.is_object() && ruleset.contains("nftables") && ruleset["nftables"].is_array()) {
    for (const json& item : ruleset["nftables"]) {
      if (!item.is_object() || !item.contains("rule")) continue;
      const json& rule = item["rule"];
      (void)render_nft_rule(rule);
      if (rule.is_object() && rule.contains("expr")) {
        const json& expr = rule["expr"];
        (void)nft_rule_verdict(expr);
        // A malformed counter throws json::exception, as parse_nft_ruleset expects (it skips
        // that item with a note); called directly here, the harness does the same.
        try {
          (void)nft_rule_facts(expr);
        } catch (const nlohmann::json::exception&) {
        }
        if (expr.is_array())
          for (const json& stmt : expr) (void)render_nft_stmt(stmt);
      }
      std::string why;
      for (const auto& [key, text] : raw.rule_text) (void)nft_text_with_counter(rule, text, why);
    }
  }
  return 0;
}
