#pragma once
#include <string>

#include "model/report.h"

namespace pktloss {

struct TextStyle {
  bool color = false;
  bool verbose = false;
  // Terminal columns (0: unknown). Wide enough, the packet path is drawn as the namespaces'
  // stacks side by side (render/text_path.h); else as one column.
  int width = 0;
  // A saved capture file: the header names it instead of the host and namespace, the verdict
  // gives no live-host advice, and the path shows only the layers a capture can measure.
  std::string capture_file;
};

// The width of the terminal on fd (TIOCGWINSZ), else $COLUMNS, else 0 (not a terminal).
int terminal_columns(int fd);

// Human view: verdict, the packet path from link (bottom) to application (top) with drops per
// layer, then each finding with its evidence and fix, then notes.
std::string render_text(const Report& report, const TextStyle& style);

}  // namespace pktloss
