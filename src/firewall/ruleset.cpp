#include "firewall/ruleset.h"

#include <algorithm>
#include <set>

#include "firewall/ebarp_render.h"
#include "firewall/ipt_render.h"
#include "firewall/nft_render.h"

namespace pktloss {
namespace {

using nlohmann::json;

struct TableInfo {
  std::string family, name;
  bool has_xt = false;
  bool builtin_chain_names = true;  // every base chain has an iptables/ebtables builtin name
  bool has_base_chain = false;
  std::string backend;
};

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
                std::map<std::string, int>& position, Firewall& fw);

void add_unique(std::vector<std::string>& v, const std::vector<std::string>& add) {
  for (const auto& s : add)
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

std::string shell_quote(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s)
    if (!(isalnum(static_cast<unsigned char>(c)) ||
          std::string("_-.:/+@=,%").find(c) != std::string::npos))
      plain = false;
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

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

void parse_nft_ruleset(const json& ruleset, const NftRawFacts& raw, Firewall& fw) {
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
    } else if (it.contains("chain")) {
      const auto& c = it.at("chain");
      TableInfo& ti = tables[get_s(c, "family") + " " + get_s(c, "table")];
      if (c.contains("hook")) {
        ti.has_base_chain = true;
        if (!is_builtin_chain(get_s(c, "name"))) ti.builtin_chain_names = false;
      }
    } else if (it.contains("rule")) {
      const auto& r = it.at("rule");
      if (has_xt_expr(r)) tables[get_s(r, "family") + " " + get_s(r, "table")].has_xt = true;
    }
  }
  for (auto& [k, t] : tables) t.backend = backend_for(t);

  // Pass 2: base chains with a drop policy, and rules that can drop.
  std::map<std::string, int> position;  // "family table chain" -> rules seen so far
  size_t malformed = 0;
  for (const auto& it : items) {
    if (!it.is_object()) continue;
    // One malformed item (kernel or library surprise) costs that item only.
    try {
      parse_item(it, tables, raw, position, fw);
    } catch (const json::exception&) {
      ++malformed;
    }
  }
  if (malformed)
    fw.notes.push_back("nftables: skipped " + std::to_string(malformed) +
                       " malformed ruleset item(s)");
}

namespace {
void parse_item(const json& it, std::map<std::string, TableInfo>& tables, const NftRawFacts& raw,
                std::map<std::string, int>& position, Firewall& fw) {
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
        ch.set_policy_command = tool + " -t " + table + " -P " + name + " ACCEPT";
      } else {
        ch.set_policy_command = "nft " + shell_quote("chain " + family + " " + table + " " + name +
                                                     " { policy accept; }");
      }
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
    if (verdict != "drop" && verdict != "reject") return;  // cheap filter before rendering

    const TableInfo& ti = tables[family + " " + table];
    NftRuleFacts facts = nft_rule_facts(exprs);
    FirewallRule fr;
    fr.backend = ti.backend;
    fr.family = family;
    fr.table = table;
    fr.chain = chain;
    fr.handle = handle;
    fr.position = pos;
    fr.verdict = verdict;
    fr.has_counter = facts.has_counter;
    fr.packets = facts.packets;
    fr.bytes = facts.bytes;
    std::string nft_delete = "nft delete rule " + family + " " + table + " " + shell_quote(chain) +
                             " handle " + std::to_string(handle);
    if (ti.backend == "iptables-nft" || ti.backend == "ip6tables-nft") {
      static const std::vector<XtBlob> none;
      auto xt = raw.rule_xt.find(nft_rule_key(family, table, chain, handle));
      IptRendered ipt = render_ipt_rule(exprs, xt == raw.rule_xt.end() ? none : xt->second, family);
      fr.text = ipt_rule_text(chain, ipt.spec);
      add_unique(fr.traits, ipt.traits);
      if (ipt.matches_all) add_unique(fr.traits, {"matches-all"});
      fr.dports = ipt.dports;
      std::string tool = ti.backend == "iptables-nft" ? "iptables" : "ip6tables";
      // Deleting by specification is what an iptables user expects; when part of the rule could
      // not be rendered the handle is the only exact way to name it.
      fr.delete_command =
          ipt.complete ? tool + " -t " + table + " -D " + chain + " " + ipt.spec : nft_delete;
      if (!ipt.complete) fr.traits.push_back("partially-rendered");
    } else if (ti.backend == "ebtables-nft" || ti.backend == "arptables-nft") {
      IptRendered eb =
          ti.backend == "ebtables-nft" ? render_ebtables_rule(exprs) : render_arptables_rule(exprs);
      std::string tool = ti.backend == "ebtables-nft" ? "ebtables" : "arptables";
      if (eb.complete) {
        fr.text = "-A " + chain + (eb.spec.empty() ? "" : " " + eb.spec);
        fr.delete_command = tool + " -t " + table + " -D " + chain + " " + eb.spec;
      } else {
        // Shown in nft syntax rather than as a half-rendered ebtables/arptables rule.
        fr.text = render_nft_rule(r);
        fr.delete_command = nft_delete;
        fr.traits.push_back("partially-rendered");
      }
      if (eb.matches_all) add_unique(fr.traits, {"matches-all"});
    } else {
      fr.text = render_nft_rule(r);
      add_unique(fr.traits, facts.traits);
      fr.dports = facts.dports;
      fr.delete_command = nft_delete;
    }
    if (verdict == "reject" && !fr.dports.empty()) add_unique(fr.traits, {"reject-service-port"});
    fw.rules.push_back(std::move(fr));
  }
}
}  // namespace

}  // namespace pktloss
