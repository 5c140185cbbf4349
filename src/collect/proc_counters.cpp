// Placeholder until the collector lands; replace this file.
#include "collect/collectors.h"

namespace pktloss {

void collect_proc_counters(NetnsSnapshot&) {}

}  // namespace pktloss
