#include "session/tracer_source.h"

namespace pktloss {

bool TracerSource::start(std::string& note) {
  if (tracer_.start(filters_)) return true;
  // The tracer's reason already names it ("eBPF tracer unavailable: ..."): one prefix, not two.
  note = tracer_.unavailable_reason();
  if (note.rfind("eBPF", 0) != 0) note = "eBPF tracer unavailable: " + note;
  return false;
}

void TracerSource::peek(Observations& obs) {
  obs.drop_events = tracer_.rows();
  obs.drop_events_available = true;
}

void TracerSource::stop(Observations& obs, std::vector<std::string>& notes) {
  obs.drop_events = tracer_.stop();
  obs.drop_events_available = true;
  notes.push_back("trace: eBPF kfree_skb via " + tracer_.stats().attach_mode);
  for (const auto& n : tracer_.notes()) notes.push_back("trace: " + n);
}

}  // namespace pktloss
