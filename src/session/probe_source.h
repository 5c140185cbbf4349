#pragma once
// The probes as a window source (active: the window is open while they run). They run on their
// own thread inside the probing namespace.
#include <atomic>
#include <exception>
#include <functional>
#include <thread>

#include "netns/netns.h"
#include "probe/probe_plan.h"
#include "session/window_source.h"

namespace pktloss {

class ProbeSource : public WindowSource {
 public:
  // on_result: after each probe kind finishes (a progress line), on the probes' thread.
  using OnResult = std::function<void(const ProbeResult&)>;
  ProbeSource(NetnsTarget probing, ProbePlan plan, OnResult on_result = {})
      : probing_(std::move(probing)), plan_(std::move(plan)), on_result_(std::move(on_result)) {}
  ~ProbeSource() override;
  Role role() const override { return Role::active; }
  bool start(std::string& note) override;
  bool finished() const override { return done_.load(); }
  // SIGINT / SIGTERM stops the probes after the one in flight: the report shows what was seen.
  bool interruptible() const override { return true; }
  // Rethrows what stopped the probes from running at all (namespace gone, no socket).
  void stop(Observations& obs, std::vector<std::string>& notes) override;

 private:
  NetnsTarget probing_;
  ProbePlan plan_;
  OnResult on_result_;
  std::thread thread_;
  std::atomic<bool> done_{false};
  std::vector<ProbeResult> results_;
  std::exception_ptr error_;
};

}  // namespace pktloss
