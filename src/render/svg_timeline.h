#pragma once
// The exporter's time line as an inline SVG: one row per layer of the packet path (link at the
// bottom, as in the path picture), drops per second over the monitor's ring of samples as a
// filled line, the row's peak at its right. Rows share the time axis ("-10 min" .. "now").
// Classes (svg.timeline, g.lane with data-layer, path.rate) are styled by the page.
#include <string>
#include <vector>

#include "model/monitor_state.h"
#include "model/rate_timeline.h"

namespace pktloss {

std::string render_timeline_svg(const std::vector<RateSample>& samples);
const char* timeline_svg_css();

// The exporter's index page: links to its endpoints, then the time line and the active findings
// of the latest collection. Self-contained, light and dark, refreshed every interval.
std::string render_exporter_index(const MonitorState& st);

}  // namespace pktloss
