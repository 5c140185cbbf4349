#pragma once
// A live packet capture as a window source: passive around diagnose's probes, or active when the
// capture is what the window is for (`pktloss capture -i`, ended by its duration or packet count).
#include <memory>
#include <optional>

#include "capture/flow_analyser.h"
#include "capture/live_capture.h"
#include "capture/pcap_io.h"
#include "rules/capture_rules.h"
#include "session/window_source.h"

namespace pktloss {

class CaptureSource : public WindowSource {
 public:
  CaptureSource(NetnsTarget netns, capture::LiveCaptureOptions opts, CaptureContext ctx, Role role)
      : netns_(std::move(netns)), opts_(std::move(opts)), ctx_(std::move(ctx)), role_(role) {}
  Role role() const override { return role_; }
  bool start(std::string& note) override;
  bool finished() const override { return !cap_ || cap_->finished(); }
  bool interruptible() const override { return true; }
  void stop(Observations& obs, std::vector<std::string>& notes) override;

  // After stop(): the packets and their analysis (for --write and the capture section).
  const capture::CapturedPackets& packets() const { return packets_; }
  const capture::CaptureAnalysis& analysis() const { return analysis_; }

 private:
  NetnsTarget netns_;
  capture::LiveCaptureOptions opts_;
  CaptureContext ctx_;
  Role role_;
  std::unique_ptr<capture::LiveCapture> cap_;
  capture::CapturedPackets packets_;
  capture::CaptureAnalysis analysis_;
};

}  // namespace pktloss
