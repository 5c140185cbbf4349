#include "rules/rule_families.h"

namespace pktloss {

void socket_rules(const RuleInput&, Findings&) {}

}  // namespace pktloss
