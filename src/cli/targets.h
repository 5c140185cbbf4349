#pragma once
// Which namespaces a command looks at (-n / -p / --all-netns), and how it prints.
#include <vector>

#include "cli/command.h"
#include "netns/netns.h"
#include "render/emit.h"

namespace pktloss {

// Throws std::runtime_error with a one-line message when a namespace cannot be found (or a
// container: none, ambiguous, not running). notes: what the report should say about how the
// namespaces were found (a runtime that did not answer); null prints them on stderr.
std::vector<NetnsTarget> resolve_targets(const CommonOptions& common, bool all_netns,
                                         std::vector<std::string>* notes = nullptr);

// One container's namespace (-c, --observe-container), its notes appended to notes (or stderr).
NetnsTarget container_target(const std::string& query, std::vector<std::string>* notes);

// Every namespace, each named by what lives in it (container, pod, /run/netns name, pid+comm).
std::vector<NetnsTarget> all_netns_named(std::vector<std::string>* notes);

// The output spec the common options ask for: JSON with --json, else text in `view`, coloured
// only on a terminal and without --no-color.
OutputSpec output_spec(const CommonOptions& common, TextView view = TextView::report);

}  // namespace pktloss
