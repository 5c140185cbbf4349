#pragma once
// The raw drop counters of one namespace grouped by the layer of the packet path they belong
// to (link -> application), so a live view can show drops per layer per second. Pure.
#include <cstdint>
#include <map>
#include <string>

#include "model/counters.h"
#include "model/snapshot.h"

namespace pktloss {

// layer -> counters ("eth0/rx_dropped", "Ip.InDiscards", "filter/INPUT/3", ...).
std::map<std::string, CounterMap> layer_drop_counters(const NetnsSnapshot& ns);

// Packets each layer dropped between two collections of one namespace. Counters are compared
// one by one, so one that was reset (interface re-created) counts what it saw since the reset
// instead of a huge difference; one that appeared (new rule, new interface) counts from zero.
// A layer with no counter in `after` (application) is left out: unknown, not zero.
std::map<std::string, uint64_t> layer_drop_deltas(const NetnsSnapshot& before,
                                                  const NetnsSnapshot& after);

}  // namespace pktloss
