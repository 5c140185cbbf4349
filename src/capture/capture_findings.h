#pragma once
// The capture findings moved to rules/capture_rules.h (decisions live in src/rules); this name
// stays for callers that include it.
#include "rules/capture_rules.h"

namespace pktloss::capture {
using ::pktloss::CaptureContext;
using ::pktloss::findings_from_capture;
}  // namespace pktloss::capture
