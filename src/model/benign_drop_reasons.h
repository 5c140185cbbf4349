#pragma once
// Kernel drop reasons that are normal frees, not packet loss, wherever they happen: the classifier
// (rules/drop_classifier.cpp) calls them benign, and the tracer (trace/drop_tracer.cpp) does not
// count them in the kernel at all unless benign frees were asked for (`trace --all`).
#include <array>
#include <string_view>

namespace pktloss {

inline constexpr std::array<std::string_view, 6> kBenignDropReasons = {
    "SKB_CONSUMED", "UNIX_DISCONNECT", "UNIX_SKIP_OOB", "QUEUE_PURGE", "SOCKET_CLOSE", "TCP_CLOSE"};

}  // namespace pktloss
