#include "session/capture_file_source.h"

#include <fmt/format.h>

#include "capture/flow_analyser.h"
#include "capture/pcap_io.h"
#include "rules/capture_rules.h"

namespace pktloss {

bool CaptureFileSource::start(std::string& /*note*/) {
  capture::FlowAnalyser analyser;
  auto r = capture::read_capture_file(path_, analyser);
  analysis_ = analyser.finish();
  notes_.push_back(fmt::format("read {} packet{} ({}, {}) from {}", r.packets,
                               r.packets == 1 ? "" : "s", r.format,
                               capture::link_type_name(r.linktype), path_));
  for (const auto& n : r.notes) notes_.push_back(n);
  if (!r.error.empty())
    notes_.push_back(
        fmt::format("capture file damaged after packet {}: {} (analysed what came before)",
                    r.packets, r.error));
  return true;
}

void CaptureFileSource::stop(Observations& obs, std::vector<std::string>& notes) {
  CaptureContext ctx;
  ctx.from_file = true;  // no namespace, no live-host advice
  obs.packet_findings = findings_from_capture(analysis_, ctx);
  obs.flows = analysis_.verdicts();
  obs.capture_available = true;
  notes.push_back("capture: " + analysis_.summary);
  notes.insert(notes.end(), notes_.begin(), notes_.end());
  notes.insert(notes.end(), analysis_.notes.begin(), analysis_.notes.end());
}

}  // namespace pktloss
