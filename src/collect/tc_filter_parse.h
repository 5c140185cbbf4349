#pragma once
// RTM_NEWTFILTER message -> model TcFilter, a pure function over untrusted bytes (the collector's
// dump callback, the unit tests' crafted messages and fuzzing share it). Reads the filter's kind,
// prio/protocol, cls_bpf program name/id, and every action (TCA_*_ACT: gact, police, ...) with its
// verdict, options and the counters of its own TCA_ACT_STATS; the legacy "u32 ... police" form
// (TCA_*_POLICE, stats at the filter's level) becomes one police action.
#include <linux/netlink.h>

#include <cstddef>
#include <optional>
#include <string>

#include "model/tc_filter.h"

namespace pktloss {

// nullopt unless an RTM_NEWTFILTER with a tcmsg and a TCA_KIND.
std::optional<TcFilter> tc_filter_from_nlmsg(const nlmsghdr* nlh);
std::optional<TcFilter> tc_filter_from_bytes(const void* data, size_t len);

// A TC_ACT_* verdict as tc writes it: "drop", "pass", "pipe", "goto chain 3", ...
std::string tc_verdict_name(int action);

}  // namespace pktloss
