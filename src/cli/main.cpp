// pktloss: finds where and why a Linux host loses packets, and says how to fix it.
#include <cstdio>
#include <exception>

#include "cli/command.h"

int main(int argc, char** argv) {
  using namespace pktloss;
  CLI::App app{"pktloss: find where and why this host loses packets, and how to fix it"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("pktloss ") + PKTLOSS_VERSION);
  CommonOptions common;
  CommandRunner run;
  register_check_command(app, common, run);
  register_diagnose_command(app, common, run);
  register_trace_command(app, common, run);
  register_probe_command(app, common, run);
  register_capture_command(app, common, run);
  register_serve_command(app, common, run);
  register_watch_command(app, common, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "pktloss: %s (see pktloss --help)\n", e.what());
    return kExitError;
  }
  if (!run) {
    std::fprintf(stderr, "pktloss: nothing to run\n");
    return kExitError;
  }
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pktloss: %s\n", e.what());
    return kExitError;
  }
}
