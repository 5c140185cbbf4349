#pragma once
// RTM_NEWQDISC message -> model Qdisc, a pure function over untrusted bytes: the collector's dump
// callback, the unit tests (crafted messages, e.g. netem which this kernel lacks) and the fuzz
// target share this exact path. Options are read from the kernel's uapi structs
// (linux/pkt_sched.h) with every attribute type- and length-checked, no libnl objects.
#include <linux/netlink.h>

#include <cstddef>
#include <optional>

#include "model/qdisc.h"

namespace pktloss {

// Kind, handle, parent, stats and the options of the kinds we know (see model/qdisc.h for keys;
// rates are bits per second). Unknown kinds keep their name and no options; malformed options
// keep the qdisc's identity and stats. nullopt when it is not an RTM_NEWQDISC with a tcmsg and
// a TCA_KIND. `nlh` must have nlmsg_len bytes readable (mnl_cb_run guarantees it).
std::optional<Qdisc> qdisc_from_nlmsg(const nlmsghdr* nlh);

// The same from a byte buffer that may hold anything (fuzzing).
std::optional<Qdisc> qdisc_from_bytes(const void* data, size_t len);

}  // namespace pktloss
