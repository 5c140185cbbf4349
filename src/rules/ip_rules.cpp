#include "rules/rule_families.h"

namespace pktloss {

void ip_rules(const RuleInput&, Findings&) {}

}  // namespace pktloss
