#include "rules/rule_families.h"

namespace pktloss {

void transport_rules(const RuleInput&, Findings&) {}

}  // namespace pktloss
