// Placeholder until the collector lands; replace this file.
#include "collect/collectors.h"

namespace pktloss {

void collect_links(NetnsSnapshot&, const CollectOptions&) {}

}  // namespace pktloss
