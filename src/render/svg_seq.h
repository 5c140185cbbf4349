#pragma once
// A flow's time-sequence graph as an inline SVG, as tcptrace draws it: relative sequence number
// against time, each data segment a vertical bar from its first to its last byte (class "seg",
// plus "retx" when sent again and "lost" / "unknown" by its fate), the peer's cumulative ACK as a
// step line ("ack"), its SACK blocks as bars ("sack"). Below it the IP size of every segment over
// time ("sz"), with the size threshold ("threshold") when the loss depends on size. Drawn from
// the analyser's trace (model SeqTrace); only layout is computed here. Classes are styled by the
// page (seq_svg_css) so light, dark and print modes apply.
#include <string>

#include "model/capture.h"

namespace pktloss {

// The graph of a flow that carries a trace ("" when it has none).
std::string render_seq_svg(const FlowReport& flow);

const char* seq_svg_css();

// The same graph as a file of its own (capture --svg-dir): its stylesheet inside, light and
// dark colours included.
std::string render_seq_svg_file(const FlowReport& flow);

}  // namespace pktloss
