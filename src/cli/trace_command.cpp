#include "cli/command.h"

namespace pktloss {

void register_trace_command(CLI::App& app, CommonOptions& common, CommandRunner& run) {
  auto* sub = app.add_subcommand("trace", "not implemented yet");
  add_common_options(*sub, common);
  sub->callback([&run] { run = []() -> int { throw std::runtime_error("trace: not implemented yet"); }; });
}

}  // namespace pktloss
