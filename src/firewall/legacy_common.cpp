#include "firewall/legacy.h"

#include <unistd.h>
#include <algorithm>

#include <fstream>

#include "netns/netns.h"

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

void add_legacy_rule(Firewall& fw, const LegacyRule& r, bool ip6) {
  const std::string family = ip6 ? "ip6" : "ip";
  std::string verdict;
  std::string target_text;
  bool complete = true;
  std::vector<std::string> traits;
  std::vector<uint16_t> dports;
  if (r.target == "DROP" || r.target == "ACCEPT" || r.target == "RETURN") {
    std::string lower = r.target;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    verdict = lower;
    target_text = " -j " + r.target;
  } else if (!r.target.empty() && r.target_blob.name.empty()) {
    verdict = r.is_goto ? "goto" : "jump";
    target_text = (r.is_goto ? " -g " : " -j ") + r.target;
  } else if (!r.target_blob.name.empty()) {
    XtDecoded d = decode_xt_target(r.target_blob, family);
    verdict = d.verdict;
    target_text = d.text;
    complete = d.complete;
  }
  if (verdict != "drop" && verdict != "reject") return;

  std::string spec;
  for (const auto& h : r.header) spec += " " + h;
  for (const auto& m : r.matches) {
    XtDecoded d = decode_xt_match(m, family);
    spec += d.text;
    complete = complete && d.complete;
    traits.insert(traits.end(), d.traits.begin(), d.traits.end());
    dports.insert(dports.end(), d.dports.begin(), d.dports.end());
  }
  spec += target_text;
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
  // By specification when we rendered all of it; by rule number otherwise (exact now, but it
  // shifts when rules above it change).
  fr.delete_command = tool + " -t " + r.table + " -D " + r.chain + " " +
                      (complete ? spec : std::to_string(r.position));
  if (!complete) fr.traits.push_back("partially-rendered");
  fw.rules.push_back(std::move(fr));
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
  ch.set_policy_command = std::string(ip6 ? "ip6tables-legacy" : "iptables-legacy") + " -t " +
                          table + " -P " + chain + " ACCEPT";
  fw.chains.push_back(std::move(ch));
}

}  // namespace pktloss
