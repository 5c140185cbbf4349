#pragma once
// The packet path as an inline SVG: one column per namespace, layers stacked top (application)
// to bottom (link), each coloured by status (CSS classes st-ok / st-warning / st-fault, styled by
// the page so light, dark and print modes apply), a numbered marker per finding at its place
// linking to #finding-N, the links between the stacks below them and the probe traffic as
// arrows above. Well-formed XML; text in a monospace font so widths are predictable.
#include <string>

#include "render/path_view.h"

namespace pktloss {

// Geometry the tests check against: a character of the SVG's text is at most this wide.
inline constexpr double kSvgFontPx = 12;
inline constexpr double kSvgCharPx = kSvgFontPx * 0.6;

std::string render_path_svg(const PathView& view);

// The CSS the SVG's classes need (the HTML page includes it).
const char* path_svg_css();

}  // namespace pktloss
