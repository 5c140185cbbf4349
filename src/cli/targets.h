#pragma once
// Which namespaces a command looks at (-n / -p / --all-netns), and how it prints.
#include <vector>

#include "cli/command.h"
#include "netns/netns.h"
#include "render/emit.h"

namespace pktloss {

// Throws std::runtime_error with a one-line message when a namespace cannot be found.
std::vector<NetnsTarget> resolve_targets(const CommonOptions& common, bool all_netns);

// The output spec the common options ask for: JSON with --json, else text in `view`, coloured
// only on a terminal and without --no-color.
OutputSpec output_spec(const CommonOptions& common, TextView view = TextView::report);

}  // namespace pktloss
