#include "rules/rule_families.h"

namespace pktloss {

void netfilter_rules(const RuleInput&, Findings&) {}

}  // namespace pktloss
