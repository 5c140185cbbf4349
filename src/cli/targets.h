#pragma once
// Which namespaces a command looks at, from -n / -p / --all-netns.
#include <vector>

#include "cli/command.h"
#include "netns/netns.h"

namespace pktloss {

// Throws std::runtime_error with a one-line message when a namespace cannot be found.
std::vector<NetnsTarget> resolve_targets(const CommonOptions& common, bool all_netns);

// Prints the report as JSON or text (colour only on a terminal) and returns the exit code.
struct Report;
int emit_report(const Report& report, const CommonOptions& common);

}  // namespace pktloss
