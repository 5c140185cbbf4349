#pragma once
// Qdisc options as tc would print/accept them ("tbf rate 1Mbit burst 1600b limit 3000b"), and
// handles as tc writes them ("1:", "root"). Pure functions: rules and renderers use them.
#include <cstdint>
#include <string>

#include "model/qdisc.h"

namespace pktloss {

std::string tc_rate(double bits_per_s);  // 1000000 -> "1Mbit", 1500 -> "1.5Kbit"
std::string tc_time_us(double us);       // 100000 -> "100ms", 1500000 -> "1.5s", 250 -> "250us"
std::string tc_handle(uint32_t h);       // 0x10000 -> "1:", 0x10002 -> "1:2"
// "root", "ingress" or "parent 1:2"
std::string tc_parent(const Qdisc& q);
// Kind then options in tc syntax; unknown kinds give only the kind.
std::string format_qdisc_options(const Qdisc& q);
// netem options without loss/corrupt/duplicate: what to `tc qdisc change` to so the delay etc.
// the user wanted stays and the loss goes. Empty when nothing but loss was configured.
std::string netem_without_loss(const Qdisc& q);

}  // namespace pktloss
