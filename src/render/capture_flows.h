#pragma once
// The text list of a capture's flows: its one-line summary, then each flow's kind and verdict
// (the first 20 unless all are asked for).
#include <string>

#include "model/capture.h"

namespace pktloss {

std::string render_capture_flows(const CaptureAnalysis& analysis, bool all_flows);

}  // namespace pktloss
