#include "cli/command.h"

namespace pktloss {

void register_probe_command(CLI::App& app, CommonOptions& common, CommandRunner& run) {
  auto* sub = app.add_subcommand("probe", "not implemented yet");
  add_common_options(*sub, common);
  sub->callback([&run] { run = []() -> int { throw std::runtime_error("probe: not implemented yet"); }; });
}

}  // namespace pktloss
