#pragma once
// Loads a {"before": Snapshot?, "after": Snapshot} fixture and runs the rule engine on it.
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <string>

#include "model/json.h"
#include "rules/engine.h"

namespace pktloss::test {

struct SnapshotPair {
  std::optional<Snapshot> before;
  Snapshot after;
};

inline SnapshotPair load_pair(const std::string& rel) {
  std::ifstream f(std::string(PKTLOSS_FIXTURES) + "/" + rel);
  EXPECT_TRUE(f.good()) << rel;
  json j = json::parse(f);
  SnapshotPair p;
  if (j.contains("before")) p.before = j.at("before").get<Snapshot>();
  p.after = j.at("after").get<Snapshot>();
  return p;
}

inline Report run(const SnapshotPair& p, const RuleConfig& cfg = {}) {
  Observations obs;
  return evaluate(p.before ? &*p.before : nullptr, p.after, obs, cfg);
}

// Findings of one layer prefix ("link." / "qdisc."): other families are not under test here.
inline std::vector<Finding> with_prefix(const Report& r, const std::string& prefix) {
  std::vector<Finding> out;
  for (const auto& f : r.findings)
    if (f.id.rfind(prefix, 0) == 0) out.push_back(f);
  return out;
}

inline const Finding* find_id(const std::vector<Finding>& fs, const std::string& id,
                              const std::string& object = "") {
  for (const auto& f : fs)
    if (f.id == id && (object.empty() || f.object == object)) return &f;
  return nullptr;
}

inline bool any_fix_contains(const Finding& f, const std::string& s) {
  for (const auto& x : f.fix)
    if (x.find(s) != std::string::npos) return true;
  return false;
}

}  // namespace pktloss::test
