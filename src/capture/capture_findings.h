#pragma once
// Findings (spec ids) from a capture analysis: the packet-level evidence for an MTU black hole,
// unanswered SYNs, refused connections, closed UDP ports. Pure: no I/O. Flows with the same
// verdict toward the same server become one finding, with up to five flows as evidence.
#include <string>
#include <vector>

#include "capture/flow_analyser.h"
#include "model/finding.h"

namespace pktloss::capture {

struct CaptureContext {
  std::string netns;  // where the capture ran ("file" for --read)
  std::string iface;  // capture interface; empty for a saved file
};

std::vector<Finding> findings_from_capture(const CaptureAnalysis& analysis,
                                           const CaptureContext& ctx);

}  // namespace pktloss::capture
