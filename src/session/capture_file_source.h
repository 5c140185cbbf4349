#pragma once
// A saved capture file as the window's one source: the "window" is the span the file covers,
// and nothing on this host is snapshotted (the file was recorded somewhere we do not know).
#include <string>

#include "model/capture.h"
#include "session/window_source.h"

namespace pktloss {

class CaptureFileSource : public WindowSource {
 public:
  explicit CaptureFileSource(std::string path) : path_(std::move(path)) {}
  Role role() const override { return Role::active; }
  // Reads and analyses the whole file. Throws std::runtime_error with a one-line message when
  // it is not a capture pktloss can read (the command then exits 2).
  bool start(std::string& note) override;
  void stop(Observations& obs, std::vector<std::string>& notes) override;

  const CaptureAnalysis& analysis() const { return analysis_; }

 private:
  std::string path_;
  CaptureAnalysis analysis_;
  std::vector<std::string> notes_;
};

}  // namespace pktloss
