// Placeholder until the collector lands; replace this file.
#include "collect/collectors.h"

namespace pktloss {

void collect_routes(NetnsSnapshot&) {}

}  // namespace pktloss
