#pragma once
// The whole command line: main() parses with it, the man pages and shell completions are
// generated from it (tools/pktloss_docgen.cpp), so documentation cannot drift from --help.
#include <memory>

#include "cli/command.h"

namespace pktloss {

// Registers every subcommand. `common` and `run` are captured by reference and must outlive
// the app.
std::unique_ptr<CLI::App> make_app(CommonOptions& common, CommandRunner& run);

}  // namespace pktloss
