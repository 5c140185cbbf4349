#pragma once
// Builders for evidence, so every rule states counters the same way.
#include <string>

#include "model/counters.h"
#include "model/finding.h"
#include "model/link_stats.h"

namespace pktloss {

// Evidence for counter `key` of `after`, with before/delta when a `before` map is given.
// in_window is set when the counter moved between the two snapshots.
Evidence counter_evidence(const std::string& source, const std::string& key,
                          const CounterMap* before, const CounterMap& after,
                          const std::string& text = "");
// Same for field `key` (its kernel name) of a link's stats.
Evidence counter_evidence(const std::string& source, const std::string& key,
                          const LinkStats* before, const LinkStats& after,
                          const std::string& text = "");

// Same for a single pair of values.
Evidence value_evidence(const std::string& source, const std::string& counter,
                        std::optional<uint64_t> before, uint64_t after,
                        const std::string& text = "");

// A config fact (no counter): "mtu 100", the rule text, the qdisc options.
Evidence fact_evidence(const std::string& source, const std::string& text);

// How much a counter moved (delta when windowed, lifetime value otherwise).
uint64_t moved(const CounterMap* before, const CounterMap& after, const std::string& key);
uint64_t moved(const LinkStats* before, const LinkStats& after, const std::string& key);

}  // namespace pktloss
