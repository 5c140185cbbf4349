#include "render/capture_flows.h"

#include <fmt/format.h>

namespace pktloss {

std::string render_capture_flows(const CaptureAnalysis& a, bool all_flows) {
  std::string out = fmt::format("Capture: {}\n", a.summary);
  const size_t limit = all_flows ? a.flows.size() : 20;
  for (size_t i = 0; i < a.flows.size(); ++i) {
    if (i == limit) {
      out += fmt::format("  ... {} more flows (-v shows all)\n", a.flows.size() - limit);
      break;
    }
    const auto& v = a.flows[i].verdict;
    out += fmt::format("  [{}] {}\n      {}\n", v.kind, v.flow, v.verdict);
  }
  return out;
}

}  // namespace pktloss
