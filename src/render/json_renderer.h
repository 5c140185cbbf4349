#pragma once
#include <string>

#include "model/report.h"

namespace pktloss {

// The report document of spec/findings.md, pretty-printed.
std::string render_json(const Report& report);

}  // namespace pktloss
