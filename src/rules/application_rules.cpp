#include "rules/rule_families.h"

namespace pktloss {

void application_rules(const Observations&, const RuleConfig&, Findings&) {}

}  // namespace pktloss
