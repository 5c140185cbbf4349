#include "rules/rule_families.h"

namespace pktloss {

void qdisc_rules(const RuleInput&, Findings&) {}

}  // namespace pktloss
