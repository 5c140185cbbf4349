#pragma once
// The rule families, one per layer (each in its own file under rules/).
#include "rules/rule_input.h"

namespace pktloss {

void link_rules(const RuleInput& in, Findings& out);         // rules/link_rules.cpp
void qdisc_rules(const RuleInput& in, Findings& out);        // rules/qdisc_rules.cpp
void tc_filter_rules(const RuleInput& in, Findings& out);    // rules/tc_filter_rules.cpp
void netfilter_rules(const RuleInput& in, Findings& out);    // rules/netfilter_rules.cpp
void ip_rules(const RuleInput& in, Findings& out);           // rules/ip_rules.cpp
void transport_rules(const RuleInput& in, Findings& out);    // rules/transport_rules.cpp
void socket_rules(const RuleInput& in, Findings& out);       // rules/socket_rules.cpp
void xdp_rules(const RuleInput& in, Findings& out);          // rules/xdp_rules.cpp (runs last)

// Window-wide observations, not per namespace: probes, kernel drop events, flows.
void application_rules(const Observations& obs, const RuleConfig& cfg, Findings& out);
// Attaches eBPF drop rows as evidence to matching findings; adds kernel.drop_reason findings
// for drops no counter explains.
void kernel_drop_rules(const Observations& obs, Findings& out);

}  // namespace pktloss
