#pragma once
// Turns a libnftables JSON ruleset (plus raw facts only libnftnl can give: xt blobs of
// iptables-nft rules and base-chain policy counters) into the firewall model: every rule that can
// drop or reject and every base chain with a drop policy, in the syntax of the tool that owns it.
// Pure: no I/O, so fixtures drive it in unit tests.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "firewall/xt_decode.h"
#include "firewall/xt_save.h"
#include "model/firewall.h"

namespace pktloss {

struct ChainCounters {
  uint64_t packets = 0;
  uint64_t bytes = 0;
};

struct NftRawFacts {
  // "family table chain handle" -> the rule's xt blobs in expression order.
  std::map<std::string, std::vector<XtBlob>> rule_xt;
  // "family table chain" -> base chain counters (iptables-nft creates chains with counters;
  // the kernel counts a packet there when the chain's policy decides it).
  std::map<std::string, ChainCounters> chain_counters;
  // "family table chain handle" -> libnftables' own text of the rule (nft_listing.h); empty
  // when the text listing failed (the JSON rendering then stands in, flagged partial).
  std::map<std::string, std::string> rule_text;
  bool has_rule_text = false;
};

// Prints xt items through libxtables (xt_save); results in item order.
using XtBatchFn =
    std::function<std::vector<XtSaved>(const std::vector<XtSaveItem>&, const std::string& family)>;

std::string nft_rule_key(const std::string& family, const std::string& table,
                         const std::string& chain, uint64_t handle);
std::string nft_chain_key(const std::string& family, const std::string& table,
                          const std::string& chain);

// True when the JSON ruleset has any xt compat expression (then the raw blobs are worth a dump).
bool ruleset_has_xt(const nlohmann::json& ruleset);

// Appends to fw. Malformed parts are skipped with a note in fw.notes, never thrown.
// batch: the libxtables printer for iptables-nft rules (empty in pure tests: pktloss's own
// decoder stands in and the rule is not claimed to be iptables-save's text).
void parse_nft_ruleset(const nlohmann::json& ruleset, const NftRawFacts& raw, Firewall& fw,
                       const XtBatchFn& batch = {});

}  // namespace pktloss
