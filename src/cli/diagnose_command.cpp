#include "cli/command.h"

namespace pktloss {

void register_diagnose_command(CLI::App& app, CommonOptions& common, CommandRunner& run) {
  auto* sub = app.add_subcommand("diagnose", "not implemented yet");
  add_common_options(*sub, common);
  sub->callback([&run] { run = []() -> int { throw std::runtime_error("diagnose: not implemented yet"); }; });
}

}  // namespace pktloss
