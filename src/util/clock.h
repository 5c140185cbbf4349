#pragma once
#include <string>

namespace pktloss {

double monotonic_seconds();
std::string rfc3339_now();
std::string host_name();

}  // namespace pktloss
