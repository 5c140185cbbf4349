#pragma once
// Text of probe results: one result per line (also the progress lines of diagnose and probe),
// and the whole `pktloss probe` view.
#include <string>

#include "model/report.h"

namespace pktloss {

// "tcp-syn      sent   20  answered   20  loss   0.0% [0.0-16.1%]  rtt ..." (+ detail line).
std::string format_probe_line(const ProbeResult& r);

// Header, one line per probe kind, the findings they give, notes with verbose.
std::string render_probe_view(const Report& report, bool verbose);

}  // namespace pktloss
