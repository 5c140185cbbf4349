#include "rules/identity.h"

#include <algorithm>

namespace pktloss {
namespace {

bool same_place(const FirewallRule& a, const FirewallRule& b) {
  return a.backend == b.backend && a.family == b.family && a.table == b.table && a.chain == b.chain;
}

bool legacy(const FirewallRule& r) {
  return r.backend.find("legacy") != std::string::npos;
}

std::string quoted(const std::string& s) {
  constexpr size_t kMax = 80;
  return "'" + (s.size() > kMax ? s.substr(0, kMax) + "..." : s) + "'";
}

}  // namespace

bool same_link(const Link& before, const Link& after) {
  return before.name == after.name && before.ifindex == after.ifindex;
}

bool same_qdisc_device(const Qdisc& before, const Qdisc& after) {
  return before.dev == after.dev && before.ifindex == after.ifindex;
}

bool same_rule(const FirewallRule& before, const FirewallRule& after) {
  if (!same_place(before, after)) return false;
  if (legacy(after)) return before.text == after.text;
  return before.table_handle == after.table_handle && before.handle == after.handle &&
         before.text == after.text;
}

std::vector<std::string> identity_notes(const NetnsSnapshot& before, const NetnsSnapshot& after) {
  std::vector<std::string> notes;
  for (const auto& l : after.links)
    for (const auto& b : before.links)
      if (b.name == l.name && b.ifindex != l.ifindex)
        notes.push_back(l.name + " was deleted and re-created during the window (ifindex " +
                        std::to_string(b.ifindex) + " -> " + std::to_string(l.ifindex) +
                        "): its counters restarted from zero and count only since then");
  // A table deleted and re-created (nft flush ruleset; nft -f): every rule in it starts over.
  std::vector<std::string> recreated;
  for (const auto& r : after.firewall.rules) {
    if (legacy(r) || r.table_handle == 0) continue;
    std::string table = r.family + " " + r.table;
    for (const auto& b : before.firewall.rules)
      if (!legacy(b) && b.family == r.family && b.table == r.table && b.table_handle != 0 &&
          b.table_handle != r.table_handle &&
          std::find(recreated.begin(), recreated.end(), table) == recreated.end())
        recreated.push_back(table);
  }
  for (const auto& t : recreated)
    notes.push_back("nft table " + t +
                    " was deleted and re-created during the window (a ruleset reload): its "
                    "rules' counters restarted from zero and count only since then");
  int reused = 0;
  std::string example;
  for (const auto& r : after.firewall.rules) {
    if (legacy(r)) continue;
    for (const auto& b : before.firewall.rules)
      if (same_place(b, r) && b.table_handle == r.table_handle && b.handle == r.handle &&
          b.text != r.text) {
        if (reused++ == 0)
          example = r.family + " " + r.table + " " + r.chain + " handle " +
                    std::to_string(r.handle) + " was " + quoted(b.text) + ", now " + quoted(r.text);
      }
  }
  if (reused > 0)
    notes.push_back("the ruleset was rewritten during the window: " + std::to_string(reused) +
                    " rule handle" + (reused == 1 ? " now names" : "s now name") +
                    " another rule (" + example +
                    "); those rules' counters are counted from zero, not against the old rule's");
  return notes;
}

}  // namespace pktloss
