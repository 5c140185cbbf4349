#include "cli/app.h"

#include "util/version.h"

namespace pktloss {

std::unique_ptr<CLI::App> make_app(CommonOptions& common, CommandRunner& run) {
  auto app = std::make_unique<CLI::App>(
      "pktloss: find where and why this host loses packets, and how to fix it", "pktloss");
  app->require_subcommand(1);
  // A function, not a string: the kernel feature probe runs only when --version is asked for.
  app->set_version_flag(
      "--version", [] { return version_text(); },
      "print version, git revision and the kernel features found, then exit");
  register_check_command(*app, common, run);
  register_diagnose_command(*app, common, run);
  register_trace_command(*app, common, run);
  register_probe_command(*app, common, run);
  register_capture_command(*app, common, run);
  register_serve_command(*app, common, run);
  register_watch_command(*app, common, run);
  return app;
}

}  // namespace pktloss
