#pragma once
// The live view of `pktloss watch`: drops per second per layer for each namespace (the packet
// path, link at the left to application at the right), the top kernel drop reasons and the
// findings of the rolling window, with the findings that appeared or cleared, and a sparkline
// per layer of the drops per second over the monitor's time line. Prints only.
#include <string>
#include <vector>

#include "model/monitor_state.h"

namespace pktloss {

struct WatchEvent {
  std::string time;  // "08:40:01"
  bool appeared = true;
  std::string id, severity, netns, object;
};

struct WatchView {
  const MonitorState* state = nullptr;
  const std::vector<WatchEvent>* events = nullptr;  // oldest first
  int width = 100;
  int height = 40;
  bool color = false;
  bool utf8 = false;  // sparklines in block characters (else ASCII)
};

// One full screen (lines cut to width and height), without cursor control sequences.
std::string render_watch_screen(const WatchView& v);
// Plain lines for a pipe or a file: one per namespace, one per kernel drop reason that moved,
// one per finding event (`new_events` of them, the newest).
std::string render_watch_lines(const WatchView& v, size_t new_events);

}  // namespace pktloss
