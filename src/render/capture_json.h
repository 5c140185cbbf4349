#pragma once
// The report's "capture" section as JSON text, written directly: a capture of many flows has
// tens of thousands of objects, and building them as nlohmann::json costs more CPU than the
// whole analysis.
#include <string>

#include "model/capture.h"

namespace pktloss {

// Appends the section (one JSON object, compact) to out. `source` names the file or interface.
void append_capture_json(std::string& out, const CaptureAnalysis& a, const std::string& source);

}  // namespace pktloss
