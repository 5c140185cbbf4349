// pktloss: finds where and why a Linux host loses packets, and says how to fix it.
#include <cstdio>
#include <exception>

#include "cli/app.h"

int main(int argc, char** argv) {
  using namespace pktloss;
  CommonOptions common;
  CommandRunner run;
  auto app_ptr = make_app(common, run);
  CLI::App& app = *app_ptr;
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
