#pragma once
// Something that observes an observation window besides the snapshots: the eBPF drop tracer, a
// packet capture, the probes. All three have one shape: started around the window, stopped at
// its end, and what they saw goes into the window's Observations.
#include <string>
#include <vector>

#include "model/observations.h"

namespace pktloss {

class WindowSource {
 public:
  // passive: runs across the whole window, bracketing both snapshots (tracer, capture), so that
  // every drop the counters show between them is seen. active: is the reason for the window and
  // runs between the snapshots; the window closes when every active source has finished.
  enum class Role { passive, active };

  virtual ~WindowSource() = default;
  virtual Role role() const = 0;
  // Starts observing. false: unavailable here; `note` says why (the window goes on without it,
  // and the report says it was degraded).
  virtual bool start(std::string& note) = 0;
  // Active sources: true once done (the window may close). Passive ones never end it.
  virtual bool finished() const { return true; }
  // Active sources: true when SIGINT / SIGTERM may end them early (a capture, whose packets so
  // far are worth keeping); probes run to their end.
  virtual bool interruptible() const { return false; }
  // What was seen so far, for a live view during the window (may be nothing).
  virtual void peek(Observations& /*obs*/) {}
  // Ends observing and adds what was seen; notes are for the report.
  virtual void stop(Observations& obs, std::vector<std::string>& notes) = 0;
};

}  // namespace pktloss
