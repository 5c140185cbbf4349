#pragma once
// The packet path in the terminal: the namespaces' stacks side by side in box-drawing
// characters, each layer with its status and drops and the findings found there, the probe
// traffic as arrows above and the links between the stacks below.
#include <functional>
#include <string>

#include "render/path_view.h"

namespace pktloss {

struct TextPathStyle {
  int width = 0;  // terminal columns
  // Colours a text by a layer status for the terminal; identity without colour.
  std::function<std::string(LayerStatus status, const std::string& text)> paint;
  // The number a finding has in the text findings list (they skip hidden info findings).
  std::function<int(size_t finding)> number;
};

// The picture, or "" when it does not fit the width (or there is only one namespace to show).
std::string render_text_path(const PathView& view, const TextPathStyle& style);

// Narrowest column the picture uses; below it the caller falls back to the single column.
inline constexpr int kTextPathMinColumn = 34;

}  // namespace pktloss
