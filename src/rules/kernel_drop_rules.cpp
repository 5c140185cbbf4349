#include "rules/rule_families.h"

namespace pktloss {

void kernel_drop_rules(const Observations&, Findings&) {}

}  // namespace pktloss
