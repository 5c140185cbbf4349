#pragma once
// Findings (spec ids) from a capture analysis: the packet-level evidence for an MTU black hole,
// unanswered SYNs, refused connections, closed UDP ports, loss. Pure: reads model types only.
// Flows with the same verdict toward the same server become one finding, with up to five flows
// as evidence.
#include <vector>

#include "model/capture.h"
#include "model/finding.h"

namespace pktloss {

std::vector<Finding> findings_from_capture(const CaptureAnalysis& analysis,
                                           const CaptureContext& ctx);

}  // namespace pktloss
