#pragma once
// Runs one rule family on a before/after scenario from tests/fixtures/rules/proc_scenarios.json.
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "model/json.h"
#include "rules/rule_families.h"

namespace pktloss::test {

inline const json& proc_scenarios() {
  static const json j = [] {
    std::ifstream f(std::string(PKTLOSS_FIXTURES) + "/rules/proc_scenarios.json");
    if (!f) throw std::runtime_error("missing fixture proc_scenarios.json");
    return json::parse(f);
  }();
  return j;
}

struct ScenarioRun {
  Snapshot before, after;
  Observations obs;
  RuleConfig cfg;
  Findings findings;

  // Runs `family` on the scenario; windowed=false evaluates the `after` snapshot alone.
  ScenarioRun(const std::string& name,
              const std::function<void(const RuleInput&, Findings&)>& family, bool windowed = true,
              std::vector<std::string> own_traffic = {}) {
    const json& s = proc_scenarios().at(name);
    before.namespaces.push_back(s.at("before").get<NetnsSnapshot>());
    after.namespaces.push_back(s.at("after").get<NetnsSnapshot>());
    before.monotonic_s = 0;
    after.monotonic_s = 2;
    obs.own_traffic_notes = std::move(own_traffic);
    RuleInput in{windowed ? &before.namespaces[0] : nullptr,
                 after.namespaces[0],
                 after,
                 windowed ? &before : nullptr,
                 windowed ? 2.0 : 0.0,
                 obs,
                 cfg};
    family(in, findings);
  }

  const Finding* find(const std::string& id) const {
    for (const auto& f : findings)
      if (f.id == id) return &f;
    return nullptr;
  }

  bool any_at_warning() const {
    for (const auto& f : findings)
      if (f.severity >= Severity::warning) return true;
    return false;
  }

  std::string dump() const {
    json j = findings;
    return j.dump(2);
  }
};

inline bool has_text(const Finding& f, const std::string& needle) {
  auto in = [&](const std::string& s) { return s.find(needle) != std::string::npos; };
  if (in(f.summary) || in(f.object) || in(f.explanation)) return true;
  for (const auto& e : f.evidence)
    if (in(e.text) || in(e.counter)) return true;
  for (const auto& x : f.fix)
    if (in(x)) return true;
  return false;
}

inline const Evidence* evidence_for(const Finding& f, const std::string& counter) {
  for (const auto& e : f.evidence)
    if (e.counter == counter) return &e;
  return nullptr;
}

}  // namespace pktloss::test
