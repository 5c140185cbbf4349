#include "firewall/legacy.h"

#include <unistd.h>
#include <algorithm>

#include <fstream>
#include <map>

#include "firewall/fw_args.h"
#include "firewall/xt_save.h"
#include "netns/netns.h"
#include "util/shell_command.h"

namespace pktloss {

int mask_prefix_len(const uint8_t* mask, size_t len) {
  int bits = 0;
  bool ended = false;
  for (size_t i = 0; i < len; ++i) {
    for (int b = 7; b >= 0; --b) {
      bool set = mask[i] & (1 << b);
      if (set && ended) return -1;
      if (set)
        ++bits;
      else
        ended = true;
    }
  }
  return bits;
}

std::vector<std::string> legacy_table_names(const std::string& proc_file, bool& module_loaded) {
  std::vector<std::string> names;
  std::string path = proc_net_path(proc_file);
  std::ifstream f(path);
  module_loaded = f.good();
  // Present but unreadable (not root): the caller says so instead of "no legacy tables".
  if (!module_loaded && access(path.c_str(), F_OK) == 0) module_loaded = true, names.clear();
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line.size() > 32) continue;
    bool ok = std::all_of(line.begin(), line.end(), [](char c) {
      return isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
    if (ok) names.push_back(line);
  }
  return names;
}

namespace {

std::string legacy_verdict(const LegacyRule& r) {
  if (r.target == "DROP" || r.target == "ACCEPT" || r.target == "RETURN") {
    std::string lower = r.target;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    return lower;
  }
  if (!r.target.empty() && r.target_blob.name.empty()) return r.is_goto ? "goto" : "jump";
  if (r.target_blob.name == "REJECT") return "reject";
  std::string lower = r.target_blob.name;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  return lower;
}

}  // namespace

void add_legacy_rules(Firewall& fw, const std::vector<LegacyRule>& rules, bool ip6) {
  const std::string family = ip6 ? "ip6" : "ip";
  // Candidates first, then every match and target blob of them through libxtables at once.
  std::vector<const LegacyRule*> cand;
  std::vector<XtSaveItem> items;
  for (const auto& r : rules) {
    std::string v = legacy_verdict(r);
    if (v != "drop" && v != "reject") continue;
    cand.push_back(&r);
    for (const auto& m : r.matches) items.push_back({m, r.proto, r.invflags, ""});
    if (!r.target_blob.name.empty())
      items.push_back({r.target_blob, r.proto, r.invflags, r.target});
  }
  std::vector<XtSaved> saved = xt_save(items, family);
  // Which rules jump or goto into each user chain: a drop there is reached through them.
  std::map<std::string, std::string> entered_from;  // "table chain" -> "INPUT rule 3: jump X"
  for (const auto& r : rules) {
    std::string v = legacy_verdict(r);
    if (v != "jump" && v != "goto") continue;
    std::string& s = entered_from[r.table + " " + r.target];
    s += (s.empty() ? "" : "; ") + family + " " + r.table + " " + r.chain + " rule " +
         std::to_string(r.position) + ": " + v + " " + r.target;
  }
  size_t next = 0;
  for (const LegacyRule* rp : cand) {
    const LegacyRule& r = *rp;
    std::string reason;
    std::vector<std::string> traits;
    std::vector<uint16_t> dports;
    std::string spec;
    for (const auto& h : r.header) spec += " " + h;
    for (const auto& m : r.matches) {
      XtDecoded d = decode_xt_match(m, family);  // traits and ports: what the rules reason on
      traits.insert(traits.end(), d.traits.begin(), d.traits.end());
      dports.insert(dports.end(), d.dports.begin(), d.dports.end());
      const XtSaved& s = saved[next++];
      if (s.ok) {
        spec += s.text;
      } else {
        spec += d.text;
        if (reason.empty()) reason = s.error;
      }
    }
    std::string verdict = legacy_verdict(r);
    if (!r.target_blob.name.empty()) {
      const XtSaved& s = saved[next++];
      XtDecoded d = decode_xt_target(r.target_blob, family);
      if (s.ok) {
        spec += s.text;
      } else {
        spec += d.text;
        if (reason.empty()) reason = s.error;
      }
    } else {
      spec += " -j " + r.target;
    }
    if (!spec.empty()) spec = spec.substr(1);

    FirewallRule fr;
    fr.backend = ip6 ? "ip6tables-legacy" : "iptables-legacy";
    fr.family = family;
    fr.table = r.table;
    fr.chain = r.chain;
    fr.handle = static_cast<uint64_t>(r.position);
    fr.position = r.position;
    fr.text = "-A " + r.chain + " " + spec;
    fr.verdict = verdict;
    fr.has_counter = true;  // x_tables counts every rule
    fr.packets = r.packets;
    fr.bytes = r.bytes;
    fr.traits = traits;
    if (r.header.empty() && r.matches.empty()) fr.traits.push_back("matches-all");
    fr.dports = dports;
    if (verdict == "reject" && !dports.empty()) fr.traits.push_back("reject-service-port");
    std::string tool = ip6 ? "ip6tables-legacy" : "iptables-legacy";
    fr.partial_reason = reason;
    fr.delete_argv = {tool, "-t", r.table, "-D", r.chain};
    // By specification when the text is the tool's own and no other rule of the chain has the
    // same text (iptables -D deletes the first match); by rule number otherwise (exact now, but
    // it shifts when rules above it change).
    int same = 0;
    for (const auto& o : rules)
      if (o.table == r.table && o.chain == r.chain && &o != &r && o.header == r.header &&
          o.target == r.target && o.matches.size() == r.matches.size()) {
        bool eq = o.target_blob.info == r.target_blob.info;
        for (size_t k = 0; eq && k < o.matches.size(); ++k)
          eq = o.matches[k].name == r.matches[k].name && o.matches[k].info == r.matches[k].info;
        same += eq;
      }
    bool round_trips = true;
    for (const auto& m : r.matches)
      round_trips = round_trips && !xt_text_does_not_round_trip(m.name);
    if (reason.empty() && same == 0 && round_trips) {
      fr.delete_argv = fr.delete_argv + split_ipt_save_args(spec);
    } else {
      fr.delete_argv.push_back(std::to_string(r.position));
      fr.delete_note = !reason.empty()
                           ? "by rule number: part of the rule could not be printed; the number "
                             "shifts when rules above it change"
                       : same ? "by rule number: the chain has another rule with the same text; "
                                "the number shifts when rules above it change"
                              : "by rule number: iptables -D cannot find this rule by its text; "
                                "the number shifts when rules above it change";
    }
    if (!reason.empty()) fr.traits.push_back("partially-rendered");
    fr.delete_command = command_line(fr.delete_argv);
    auto from = entered_from.find(r.table + " " + r.chain);
    if (from != entered_from.end()) fr.reached_via = from->second;
    fw.rules.push_back(std::move(fr));
  }
}

void add_legacy_chain(Firewall& fw, const std::string& table, const std::string& chain,
                      const std::string& policy, uint64_t packets, uint64_t bytes, bool ip6) {
  FirewallChain ch;
  ch.backend = ip6 ? "ip6tables-legacy" : "iptables-legacy";
  ch.family = ip6 ? "ip6" : "ip";
  ch.table = table;
  ch.chain = chain;
  static const char* hooks[][2] = {{"INPUT", "input"},
                                   {"OUTPUT", "output"},
                                   {"FORWARD", "forward"},
                                   {"PREROUTING", "prerouting"},
                                   {"POSTROUTING", "postrouting"}};
  for (auto& h : hooks)
    if (chain == h[0]) ch.hook = h[1];
  std::string lower = policy;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  ch.policy = lower;
  ch.has_counter = true;
  ch.policy_packets = packets;
  ch.policy_bytes = bytes;
  ch.set_policy_argv = {
      ip6 ? "ip6tables-legacy" : "iptables-legacy", "-t", table, "-P", chain, "ACCEPT"};
  ch.set_policy_command = command_line(ch.set_policy_argv);
  fw.chains.push_back(std::move(ch));
}

}  // namespace pktloss
