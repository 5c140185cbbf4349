#pragma once
#include <string>

#include "model/report.h"

namespace pktloss {

// A self-contained HTML page of the report (no scripts, no external resources), for attaching
// to a ticket. Every string from the host is escaped.
std::string render_html(const Report& report);

std::string html_escape(const std::string& s);

}  // namespace pktloss
