#pragma once
// Text table of drop rows for `pktloss trace` (sorted by count, widest columns trimmed).
#include <string>
#include <vector>

#include "model/observations.h"

namespace pktloss {

struct TableStyle {
  bool color = false;
  bool flows = false;
};

std::string render_drop_table(const std::vector<DropEventRow>& rows, const TableStyle& style,
                              double elapsed_s);

}  // namespace pktloss
