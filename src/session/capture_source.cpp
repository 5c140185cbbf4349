#include "session/capture_source.h"

namespace pktloss {

bool CaptureSource::start(std::string& note) {
  try {
    cap_ = std::make_unique<capture::LiveCapture>(netns_, opts_);
    cap_->start();
    return true;
  } catch (const std::exception& e) {
    cap_.reset();
    note = std::string("packet capture unavailable: ") + e.what();
    return false;
  }
}

void CaptureSource::stop(Observations& obs, std::vector<std::string>& notes) {
  if (!cap_) return;
  packets_ = cap_->stop();
  analysis_ = capture::analyse_packets(packets_);
  obs.packet_findings = findings_from_capture(analysis_, ctx_);
  obs.flows = analysis_.verdicts();
  obs.capture_available = true;
  for (const auto& n : packets_.notes) notes.push_back("capture: " + n);
  for (const auto& n : analysis_.notes) notes.push_back("capture: " + n);
}

}  // namespace pktloss
