#pragma once
#include <string>

#include "model/report.h"

namespace pktloss {

struct TextStyle {
  bool color = false;
  bool verbose = false;
};

// Human view: verdict, the packet path from link (bottom) to application (top) with drops per
// layer, then each finding with its evidence and fix, then notes.
std::string render_text(const Report& report, const TextStyle& style);

}  // namespace pktloss
