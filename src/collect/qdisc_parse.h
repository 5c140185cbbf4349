#pragma once
// RTM_NEWQDISC message -> model Qdisc, a pure function: the collector's dump callback and the
// unit tests (crafted messages, e.g. netem which this kernel lacks) share this exact path.
#include <optional>

#include "model/qdisc.h"

struct nl_msg;
struct rtnl_qdisc;

namespace pktloss {

// Kind, handle, parent, stats and the options of the kinds we know (see model/qdisc.h for keys;
// rates are bits per second). Unknown kinds keep their name and no options.
Qdisc qdisc_from_rtnl(rtnl_qdisc* q);

// Parses one netlink message; nullopt when it is not a well-formed RTM_NEWQDISC. Never throws,
// never reads outside the message.
std::optional<Qdisc> qdisc_from_nlmsg(nl_msg* msg);

}  // namespace pktloss
