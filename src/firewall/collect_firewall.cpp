// Placeholder until the firewall collector lands; replace this file.
#include "collect/collectors.h"

namespace pktloss {

void collect_firewall(NetnsSnapshot&) {}

}  // namespace pktloss
