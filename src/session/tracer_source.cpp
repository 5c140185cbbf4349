#include "session/tracer_source.h"

#include "rules/drop_attribution.h"

namespace pktloss {
namespace {

std::vector<DropEventRow> attributed(std::vector<DropEventRow> rows, const TraceFilters& f) {
  return attribute_drops(std::move(rows), DropAttributionOptions{f.netns_inodes, f.include_benign});
}

}  // namespace

bool TracerSource::start(std::string& note) {
  if (tracer_.start(filters_)) return true;
  // The tracer's reason already names it ("eBPF tracer unavailable: ..."): one prefix, not two.
  note = tracer_.unavailable_reason();
  if (note.rfind("eBPF", 0) != 0) note = "eBPF tracer unavailable: " + note;
  return false;
}

void TracerSource::peek(Observations& obs) {
  obs.drop_events = attributed(tracer_.rows(), filters_);
  obs.drop_events_available = true;
}

void TracerSource::stop(Observations& obs, std::vector<std::string>& notes) {
  obs.drop_events = attributed(tracer_.stop(), filters_);
  obs.drop_events_available = true;
  notes.push_back("trace: eBPF kfree_skb via " + tracer_.stats().attach_mode);
  for (const auto& n : tracer_.notes()) notes.push_back("trace: " + n);
}

}  // namespace pktloss
