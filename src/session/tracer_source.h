#pragma once
// The eBPF kernel drop tracer as a window source (passive: it brackets both snapshots, so every
// drop a counter shows between them is also seen as an event).
#include "session/window_source.h"
#include "trace/drop_tracer.h"

namespace pktloss {

class TracerSource : public WindowSource {
 public:
  explicit TracerSource(TraceFilters filters) : filters_(std::move(filters)) {}
  Role role() const override { return Role::passive; }
  bool start(std::string& note) override;
  void peek(Observations& obs) override;
  void stop(Observations& obs, std::vector<std::string>& notes) override;

  // How the program is attached ("tp_btf", "tracepoint"), once started.
  std::string attach_mode() const { return tracer_.stats().attach_mode; }

 private:
  TraceFilters filters_;
  DropTracer tracer_;
};

}  // namespace pktloss
