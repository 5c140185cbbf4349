#include "firewall/ruleset.h"

#include <algorithm>
#include <set>

#include "firewall/ebarp_render.h"
#include "firewall/fw_args.h"
#include "firewall/ipt_render.h"
#include "firewall/nft_render.h"
#include "util/shell_command.h"

namespace pktloss {
namespace {

using nlohmann::json;

struct TableInfo {
  std::string family, name;
  uint64_t handle = 0;  // a table deleted and re-created (nft flush ruleset) gets a new one
  bool has_xt = false;
  bool builtin_chain_names = true;  // every base chain has an iptables/ebtables builtin name
  bool has_base_chain = false;
  std::string backend;
  std::set<std::string> drop_maps;  // named verdict maps with a drop element
  // chain -> the rules that jump or goto into it ("ip filter INPUT rule 3 (handle 7): jump x")
  std::map<std::string, std::vector<std::string>> entered_from;
};

// True when the JSON value holds a drop verdict anywhere ({"drop": null} in map elements).
bool holds_drop(const json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.key() == "drop" || holds_drop(it.value())) return true;
  } else if (j.is_array()) {
    for (const auto& e : j)
      if (holds_drop(e)) return true;
  }
  return false;
}

// Every jump/goto target inside a rule's statements (plain or in a verdict map).
void jump_targets(const json& j, std::vector<std::pair<std::string, std::string>>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if ((it.key() == "jump" || it.key() == "goto") && it.value().is_object() &&
          it.value().contains("target") && it.value().at("target").is_string())
        out.emplace_back(it.key(), it.value().at("target").get<std::string>());
      else
        jump_targets(it.value(), out);
    }
  } else if (j.is_array()) {
    for (const auto& e : j) jump_targets(e, out);
  }
}

bool is_builtin_chain(const std::string& n) {
  static const std::set<std::string> names = {"INPUT",      "OUTPUT",      "FORWARD",
                                              "PREROUTING", "POSTROUTING", "BROUTING"};
  return names.count(n) > 0;
}

std::string backend_for(const TableInfo& t) {
  static const std::set<std::string> ipt_tables = {"filter", "nat", "mangle", "raw", "security"};
  static const std::set<std::string> eb_tables = {"filter", "nat", "broute"};
  bool builtin = t.has_base_chain && t.builtin_chain_names;
  if ((t.family == "ip" || t.family == "ip6") && ipt_tables.count(t.name) && (t.has_xt || builtin))
    return t.family == "ip" ? "iptables-nft" : "ip6tables-nft";
  if (t.family == "arp" && t.name == "filter" && (t.has_xt || builtin)) return "arptables-nft";
  if (t.family == "bridge" && eb_tables.count(t.name) && (t.has_xt || builtin))
    return "ebtables-nft";
  return "nftables";
}

std::string get_s(const json& j, const char* k) {
  if (!j.is_object() || !j.contains(k) || !j.at(k).is_string()) return "";
  return j.at(k).get<std::string>();
}

uint64_t get_u(const json& j, const char* k) {
  if (!j.is_object() || !j.contains(k) || !j.at(k).is_number_unsigned()) return 0;
  return j.at(k).get<uint64_t>();
}

bool has_xt_expr(const json& rule) {
  if (!rule.contains("expr") || !rule.at("expr").is_array()) return false;
  for (const auto& e : rule.at("expr"))
    if (e.is_object() && e.contains("xt")) return true;
  return false;
}

void parse_item(const json& it, std::map<std::string, TableInfo>& tables, const NftRawFacts& raw,
                std::map<std::string, int>& position, Firewall& fw, const XtTextFn& xt_text);

void parse_all(const json& items, std::map<std::string, TableInfo>& tables, const NftRawFacts& raw,
               Firewall& fw, const XtTextFn& xt_text);

std::string item_key(const XtSaveItem& it, const std::string& family) {
  std::string k = family + '\0' + it.blob.kind + '\0' + it.blob.name + '\0' +
                  std::to_string(it.blob.revision) + '\0' + it.jump_name + '\0' +
                  std::to_string(it.proto) + '\0' + std::to_string(it.invflags) + '\0';
  k.append(it.blob.info.begin(), it.blob.info.end());
  return k;
}

void add_unique(std::vector<std::string>& v, const std::vector<std::string>& add) {
  for (const auto& s : add)
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

std::string nft_rule_key(const std::string& family, const std::string& table,
                         const std::string& chain, uint64_t handle) {
  return family + " " + table + " " + chain + " " + std::to_string(handle);
}

std::string nft_chain_key(const std::string& family, const std::string& table,
                          const std::string& chain) {
  return family + " " + table + " " + chain;
}

bool ruleset_has_xt(const json& ruleset) {
  if (!ruleset.is_object() || !ruleset.contains("nftables")) return false;
  const auto& items = ruleset.at("nftables");
  if (!items.is_array()) return false;
  for (const auto& it : items)
    if (it.is_object() && it.contains("rule") && has_xt_expr(it.at("rule"))) return true;
  return false;
}

void parse_nft_ruleset(const json& ruleset, const NftRawFacts& raw, Firewall& fw,
                       const XtBatchFn& batch) {
  if (!ruleset.is_object() || !ruleset.contains("nftables") || !ruleset.at("nftables").is_array()) {
    fw.notes.push_back("nftables: ruleset JSON without an \"nftables\" array; skipped");
    return;
  }
  const auto& items = ruleset.at("nftables");

  // Pass 1: tables and base chains decide who owns each table (iptables-nft or nftables).
  std::map<std::string, TableInfo> tables;  // "family table"
  for (const auto& it : items) {
    if (!it.is_object()) continue;
    if (it.contains("table")) {
      const auto& t = it.at("table");
      TableInfo& ti = tables[get_s(t, "family") + " " + get_s(t, "name")];
      ti.family = get_s(t, "family");
      ti.name = get_s(t, "name");
      ti.handle = get_u(t, "handle");
    } else if (it.contains("chain")) {
      const auto& c = it.at("chain");
      TableInfo& ti = tables[get_s(c, "family") + " " + get_s(c, "table")];
      if (c.contains("hook")) {
        ti.has_base_chain = true;
        if (!is_builtin_chain(get_s(c, "name"))) ti.builtin_chain_names = false;
      }
    } else if (it.contains("rule")) {
      const auto& r = it.at("rule");
      TableInfo& ti = tables[get_s(r, "family") + " " + get_s(r, "table")];
      if (has_xt_expr(r)) ti.has_xt = true;
      std::vector<std::pair<std::string, std::string>> targets;
      if (r.contains("expr")) jump_targets(r.at("expr"), targets);
      for (const auto& [how, target] : targets)
        ti.entered_from[target].push_back(
            get_s(r, "family") + " " + get_s(r, "table") + " " + get_s(r, "chain") +
            " rule handle " + std::to_string(get_u(r, "handle")) + ": " + how + " " + target);
    } else if (it.contains("map")) {
      const auto& m = it.at("map");
      if (get_s(m, "map") == "verdict" && m.contains("elem") && holds_drop(m.at("elem")))
        tables[get_s(m, "family") + " " + get_s(m, "table")].drop_maps.insert(get_s(m, "name"));
    }
  }
  for (auto& [k, t] : tables) t.backend = backend_for(t);

  if (!batch) {
    parse_all(items, tables, raw, fw, {});
    return;
  }
  // iptables-nft rules: a first pass records every xt item to print, one libxtables child per
  // family prints them all, the second pass uses the texts.
  std::map<std::string, std::vector<XtSaveItem>> wanted;  // family -> items
  std::map<std::string, std::optional<std::string>> printed;
  Firewall scratch;
  parse_all(items, tables, raw, scratch,
            [&](const XtSaveItem& it, const std::string& family) -> std::optional<std::string> {
              auto [pos, fresh] = printed.emplace(item_key(it, family), std::nullopt);
              if (fresh) wanted[family].push_back(it);
              return std::nullopt;
            });
  for (const auto& [family, list] : wanted) {
    std::vector<XtSaved> out = batch(list, family);
    for (size_t i = 0; i < list.size() && i < out.size(); ++i)
      if (out[i].ok) printed[item_key(list[i], family)] = out[i].text;
  }
  parse_all(items, tables, raw, fw,
            [&](const XtSaveItem& it, const std::string& family) -> std::optional<std::string> {
              auto p = printed.find(item_key(it, family));
              return p == printed.end() ? std::nullopt : p->second;
            });
}

namespace {
void parse_all(const json& items, std::map<std::string, TableInfo>& tables, const NftRawFacts& raw,
               Firewall& fw, const XtTextFn& xt_text) {
  // Pass 2: base chains with a drop policy, and rules that can drop.
  std::map<std::string, int> position;  // "family table chain" -> rules seen so far
  size_t malformed = 0;
  for (const auto& it : items) {
    if (!it.is_object()) continue;
    // One malformed item (kernel or library surprise) costs that item only.
    try {
      parse_item(it, tables, raw, position, fw, xt_text);
    } catch (const json::exception&) {
      ++malformed;
    }
  }
  if (malformed)
    fw.notes.push_back("nftables: skipped " + std::to_string(malformed) +
                       " malformed ruleset item(s)");
  // iptables -D deletes the first rule with the same specification: for a rule whose twin
  // comes earlier in the chain that is the wrong one, so both are named by handle.
  std::map<std::string, int> same;
  for (const auto& r : fw.rules)
    if (r.backend == "iptables-nft" || r.backend == "ip6tables-nft")
      ++same[r.family + " " + r.table + " " + r.chain + "\n" + r.text];
  // ip6tables-nft 1.8.9's -D matched `-j DROP` against an earlier `-s ::/64 -j DROP` (and the
  // other way round): in a chain with address rules every rule is named by handle.
  std::set<std::string> ip6_addr_chains;
  for (const auto& r : fw.rules)
    if (r.backend == "ip6tables-nft" &&
        (r.text.find(" -s ") != std::string::npos || r.text.find(" -d ") != std::string::npos))
      ip6_addr_chains.insert(r.table + " " + r.chain);
  for (auto& r : fw.rules) {
    if (r.backend != "iptables-nft" && r.backend != "ip6tables-nft") continue;
    bool twin = same[r.family + " " + r.table + " " + r.chain + "\n" + r.text] > 1;
    bool ip6_ambiguous =
        r.backend == "ip6tables-nft" && ip6_addr_chains.count(r.table + " " + r.chain);
    if (!twin && !ip6_ambiguous) continue;
    if (r.delete_argv.empty() || r.delete_argv[0] == "nft") continue;
    auto t = nft_name(r.table), c = nft_name(r.chain);
    if (!t || !c) continue;
    r.delete_argv = {"nft", "delete", "rule", r.family, *t, *c, "handle", std::to_string(r.handle)};
    r.delete_note = twin ? "by handle: another rule of the chain has the same text"
                         : "by handle: ip6tables-nft -D may match another rule of this chain "
                           "that has an address (ip6tables 1.8.9)";
    r.delete_command = command_line(r.delete_argv);
  }
}
}  // namespace

namespace {
void parse_item(const json& it, std::map<std::string, TableInfo>& tables, const NftRawFacts& raw,
                std::map<std::string, int>& position, Firewall& fw, const XtTextFn& xt_text) {
  {
    if (it.contains("chain")) {
      const auto& c = it.at("chain");
      if (!c.contains("hook")) return;
      std::string family = get_s(c, "family"), table = get_s(c, "table"), name = get_s(c, "name");
      const TableInfo& ti = tables[family + " " + table];
      FirewallChain ch;
      ch.backend = ti.backend;
      ch.family = family;
      ch.table = table;
      ch.chain = name;
      ch.hook = get_s(c, "hook");
      ch.policy = get_s(c, "policy");
      if (ch.policy.empty()) ch.policy = "accept";
      auto cc = raw.chain_counters.find(nft_chain_key(family, table, name));
      if (cc != raw.chain_counters.end()) {
        ch.has_counter = true;
        ch.policy_packets = cc->second.packets;
        ch.policy_bytes = cc->second.bytes;
      }
      if (ti.backend == "iptables-nft" || ti.backend == "ip6tables-nft") {
        std::string tool = ti.backend == "iptables-nft" ? "iptables" : "ip6tables";
        ch.set_policy_argv = {tool, "-t", table, "-P", name, "ACCEPT"};
      } else if (auto t = nft_name(table), n = nft_name(name); t && n) {
        // nft joins its arguments into one command: one argument keeps it readable.
        ch.set_policy_argv = {"nft",
                              "chain " + family + " " + *t + " " + *n + " { policy accept; }"};
        ch.add_counter_argv = {"nft", "add", "rule", family, *t, *n, "counter"};
      }
      ch.set_policy_command = command_line(ch.set_policy_argv);
      fw.chains.push_back(std::move(ch));
      return;
    }
    if (!it.contains("rule")) return;
    const auto& r = it.at("rule");
    std::string family = get_s(r, "family"), table = get_s(r, "table"), chain = get_s(r, "chain");
    uint64_t handle = get_u(r, "handle");
    int pos = ++position[nft_chain_key(family, table, chain)];
    const json empty = json::array();
    const json& exprs = r.contains("expr") ? r.at("expr") : empty;
    std::string verdict = nft_rule_verdict(exprs);
    const TableInfo& ti = tables[family + " " + table];
    bool via_map = false;
    if (verdict == "vmap") {
      // A verdict map that can answer drop drops like a rule: attributed the same way.
      for (const auto& s : exprs) {
        if (!s.is_object() || !s.contains("vmap") || !s.at("vmap").is_object()) continue;
        const json& data = s.at("vmap").value("data", json());
        if (data.is_string() && data.get<std::string>().rfind("@", 0) == 0)
          via_map = via_map || ti.drop_maps.count(data.get<std::string>().substr(1)) > 0;
        else
          via_map = via_map || holds_drop(data);
      }
      if (via_map) verdict = "drop";
    }
    if (verdict != "drop" && verdict != "reject") return;  // cheap filter before rendering

    NftRuleFacts facts = nft_rule_facts(exprs);
    FirewallRule fr;
    fr.backend = ti.backend;
    fr.family = family;
    fr.table = table;
    fr.chain = chain;
    fr.handle = handle;
    fr.table_handle = ti.handle;
    fr.position = pos;
    fr.verdict = verdict;
    fr.has_counter = facts.has_counter;
    fr.packets = facts.packets;
    fr.bytes = facts.bytes;
    std::vector<std::string> nft_delete;
    if (auto t = nft_name(table), c = nft_name(chain); t && c)
      nft_delete = {"nft", "delete", "rule", family, *t, *c, "handle", std::to_string(handle)};
    if (ti.backend == "iptables-nft" || ti.backend == "ip6tables-nft") {
      static const std::vector<XtBlob> none;
      auto xt = raw.rule_xt.find(nft_rule_key(family, table, chain, handle));
      IptRendered ipt =
          render_ipt_rule(exprs, xt == raw.rule_xt.end() ? none : xt->second, family, xt_text);
      fr.text = ipt_rule_text(chain, ipt.spec);
      add_unique(fr.traits, ipt.traits);
      if (ipt.matches_all) add_unique(fr.traits, {"matches-all"});
      fr.dports = ipt.dports;
      std::string tool = ti.backend == "iptables-nft" ? "iptables" : "ip6tables";
      // Deleting by specification is what an iptables user expects; when part of the rule could
      // not be printed the handle is the only exact way to name it. ip6tables-nft 1.8.9 matches
      // an address rule of -D against other rules too (ip6tables -D INPUT -s ::/64 -j DROP
      // removed an earlier -j DROP): such rules are named by handle as well.
      bool ip6_addr = family == "ip6" && (ipt.spec.find("-s ") != std::string::npos ||
                                          ipt.spec.find("-d ") != std::string::npos);
      if (!xt_text && ipt.complete) ipt.partial_reason = "";  // pure tests: decoder only
      bool round_trips = true;
      if (xt != raw.rule_xt.end())
        for (const auto& b : xt->second)
          round_trips = round_trips && !xt_text_does_not_round_trip(b.name);
      if (ipt.complete && !ip6_addr && round_trips) {
        fr.delete_argv = std::vector<std::string>{tool, "-t", table, "-D", chain} +
                         split_ipt_save_args(ipt.spec);
      } else {
        fr.delete_argv = nft_delete;
        fr.delete_note = !ipt.complete  ? "by handle: part of the rule could not be printed in "
                                          "iptables syntax"
                         : !round_trips ? "by handle: iptables -D cannot find this rule by its text"
                                        : "by handle: ip6tables-nft -D may match another rule "
                                          "with an address (ip6tables 1.8.9)";
      }
      if (!ipt.complete) {
        fr.partial_reason = ipt.partial_reason.empty() ? "part of the rule has no iptables syntax"
                                                       : ipt.partial_reason;
        fr.traits.push_back("partially-rendered");
      }
    } else if (ti.backend == "ebtables-nft" || ti.backend == "arptables-nft") {
      IptRendered eb =
          ti.backend == "ebtables-nft" ? render_ebtables_rule(exprs) : render_arptables_rule(exprs);
      std::string tool = ti.backend == "ebtables-nft" ? "ebtables" : "arptables";
      if (eb.complete) {
        fr.text = "-A " + chain + (eb.spec.empty() ? "" : " " + eb.spec);
        fr.delete_argv =
            std::vector<std::string>{tool, "-t", table, "-D", chain} + split_ipt_save_args(eb.spec);
      } else {
        // Shown in nft syntax rather than as a half-rendered ebtables/arptables rule.
        fr.text = render_nft_rule(r);
        fr.delete_argv = nft_delete;
        fr.delete_note = "by handle: part of the rule has no " + tool + " syntax";
        fr.partial_reason = "shown in nft syntax: part of the rule has no " + tool + " syntax";
        fr.traits.push_back("partially-rendered");
      }
      if (eb.matches_all) add_unique(fr.traits, {"matches-all"});
    } else {
      auto listed = raw.rule_text.find(nft_rule_key(family, table, chain, handle));
      if (listed != raw.rule_text.end()) {
        fr.text = listed->second;
      } else {
        fr.text = render_nft_rule(r);
        if (raw.has_rule_text) {
          fr.partial_reason = "not in libnftables' text listing (changed between two dumps?)";
          fr.traits.push_back("partially-rendered");
        }
      }
      add_unique(fr.traits, facts.traits);
      fr.dports = facts.dports;
      fr.delete_argv = nft_delete;
      if (!facts.has_counter) {
        auto t = nft_name(table), c = nft_name(chain);
        std::string why;
        std::optional<std::string> with = listed == raw.rule_text.end()
                                              ? std::nullopt
                                              : nft_text_with_counter(r, listed->second, why);
        if (listed == raw.rule_text.end()) why = "the rule's own nft text is not known";
        if (with && t && c)
          fr.add_counter_argv = {"nft", "replace rule " + family + " " + *t + " " + *c +
                                            " handle " + std::to_string(handle) + " " + *with};
        else
          fr.counter_note = why.empty() ? "the table or chain name cannot be written in nft" : why;
      }
    }
    fr.delete_command = command_line(fr.delete_argv);
    if (verdict == "reject" && !fr.dports.empty()) add_unique(fr.traits, {"reject-service-port"});
    if (via_map) {
      add_unique(fr.traits, {"verdict-map"});
      // The rule's counter counts every packet the map looks up, not only the dropped ones.
      fr.traits.erase(std::remove(fr.traits.begin(), fr.traits.end(), "matches-all"),
                      fr.traits.end());
    }
    auto from = ti.entered_from.find(chain);
    if (from != ti.entered_from.end()) {
      for (const auto& f : from->second) fr.reached_via += (fr.reached_via.empty() ? "" : "; ") + f;
    }
    fw.rules.push_back(std::move(fr));
  }
}
}  // namespace

}  // namespace pktloss
