#pragma once
// Netfilter rules and chains that can drop, from nftables (incl. iptables-nft) and iptables-legacy.
#include <cstdint>
#include <string>
#include <vector>

namespace pktloss {

struct FirewallRule {
  std::string backend;  // "nftables", "iptables-nft", "ip6tables-nft", "iptables-legacy",
                        // "ip6tables-legacy", "ebtables-nft", "arptables-nft"
  std::string family;   // nft family: "ip", "ip6", "inet", "arp", "bridge", "netdev"
  std::string table;
  std::string chain;
  uint64_t handle = 0;  // nft rule handle; for legacy tables the 1-based rule number
  // nft table handle: rule handles restart when a table is deleted and re-created (a ruleset
  // reload), so a rule is the same rule only in the same table incarnation. 0 for legacy.
  uint64_t table_handle = 0;
  int position = 0;     // 1-based position in its chain
  std::string text;     // the rule in the syntax of the tool that owns it
  std::string verdict;  // "drop", "reject", "accept", "jump", ...
  bool has_counter = false;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  // What makes the rule dangerous, said plainly: "random", "matches-all", "reject-service-port",
  // ...
  std::vector<std::string> traits;
  std::string delete_command;    // exact command that removes this rule (delete_argv, quoted)
  std::vector<uint16_t> dports;  // destination ports the rule matches (REJECT on a service port)
  // The same command as an argument vector: rules prefix the namespace and quote it once.
  std::vector<std::string> delete_argv;
  // Why delete_argv names the rule by handle or rule number instead of its specification ("" when
  // by specification, or for nft where the handle is the normal way).
  std::string delete_note;
  // Non-empty when `text` is not exactly what the owning tool lists, and why.
  std::string partial_reason;
  // For rules without a counter: the command that replaces the rule by the same rule with a
  // counter before its verdict; empty when that cannot be built safely (counter_note says why).
  std::vector<std::string> add_counter_argv;
  std::string counter_note;
  // Set when the drop is reached through a jump/goto or a verdict map: which rule leads here.
  std::string reached_via;
};

struct FirewallChain {
  std::string backend;
  std::string family;
  std::string table;
  std::string chain;
  std::string hook;    // "input", "output", "forward", "prerouting", ... empty for regular chains
  std::string policy;  // "accept", "drop", empty for regular chains
  bool has_counter = false;  // policy counters exist (legacy tables; nft has none)
  uint64_t policy_packets = 0;
  uint64_t policy_bytes = 0;
  std::string set_policy_command;            // exact command that sets the policy to accept
  std::vector<std::string> set_policy_argv;  // the same as an argument vector
  // nft only (no policy counter): appends a counter-only rule that counts what reaches the policy.
  std::vector<std::string> add_counter_argv;
};

struct Firewall {
  std::vector<FirewallRule> rules;    // only rules that can drop or reject (and their context)
  std::vector<FirewallChain> chains;  // base chains
  std::vector<std::string> notes;     // degraded parts ("iptables-legacy: no permission", ...)
};

}  // namespace pktloss
