#include "rules/evidence.h"

namespace pktloss {

Evidence value_evidence(const std::string& source, const std::string& counter,
                        std::optional<uint64_t> before, uint64_t after, const std::string& text) {
  Evidence e;
  e.source = source;
  e.counter = counter;
  e.text = text;
  e.after = after;
  if (before) {
    CounterDelta d = counter_delta(*before, after);
    e.before = *before;
    e.delta = d.delta;
    e.reset = d.reset;
    e.in_window = d.delta > 0;
  }
  return e;
}

Evidence counter_evidence(const std::string& source, const std::string& key,
                          const CounterMap* before, const CounterMap& after,
                          const std::string& text) {
  std::optional<uint64_t> b;
  if (before) b = counter_or_zero(*before, key);
  return value_evidence(source, key, b, counter_or_zero(after, key), text);
}

Evidence counter_evidence(const std::string& source, const std::string& key,
                          const LinkStats* before, const LinkStats& after,
                          const std::string& text) {
  std::optional<uint64_t> b;
  if (before) b = link_stat_or_zero(*before, key);
  return value_evidence(source, key, b, link_stat_or_zero(after, key), text);
}

Evidence fact_evidence(const std::string& source, const std::string& text) {
  Evidence e;
  e.source = source;
  e.text = text;
  return e;
}

uint64_t moved(const CounterMap* before, const CounterMap& after, const std::string& key) {
  uint64_t a = counter_or_zero(after, key);
  if (!before) return a;
  return counter_delta(counter_or_zero(*before, key), a).delta;
}

uint64_t moved(const LinkStats* before, const LinkStats& after, const std::string& key) {
  uint64_t a = link_stat_or_zero(after, key);
  if (!before) return a;
  return counter_delta(link_stat_or_zero(*before, key), a).delta;
}

}  // namespace pktloss
