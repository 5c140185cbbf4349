#pragma once
// Shell completion scripts generated from the CLI definitions: subcommands, each subcommand's
// options, and the values a shell can list (netns names, interfaces, containers, PIDs, files).
#include <string>

#include "doc/cli_model.h"

namespace pktloss::doc {

std::string render_bash_completion(const CliDoc& cli);
std::string render_zsh_completion(const CliDoc& cli);

}  // namespace pktloss::doc
