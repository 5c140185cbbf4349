#pragma once
// The report document (spec/findings.md): every renderer reads this and only this.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/finding.h"
#include "model/observations.h"

namespace pktloss {

struct LayerSummary {
  uint64_t drops = 0;         // packets attributed to this layer in the window (or lifetime)
  std::string status = "ok";  // "ok", "warning", "fault"
};

struct Target {
  std::string host;
  uint16_t port = 0;
};

struct Report {
  std::string tool = "pktloss";
  std::string version;
  std::string host;
  std::string netns;
  std::string started;  // RFC 3339
  double window_s = 0;  // 0: one snapshot, lifetime totals only
  // The window was ended early by SIGINT / SIGTERM: what follows covers only that part.
  bool interrupted = false;
  std::optional<Target> target;
  std::vector<ProbeResult> probes;
  std::map<std::string, LayerSummary> layers;  // keyed by layer name
  std::vector<Finding> findings;               // ranked
  std::vector<DropEventRow> drop_events;
  std::vector<FlowVerdict> flows;
  std::vector<std::string> notes;
};

}  // namespace pktloss
