#pragma once
// Each subcommand registers its options on the CLI11 app and returns what to run once parsed.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace pktloss {

// Options every subcommand shares (cli.md "Common").
struct CommonOptions {
  std::string netns;  // -n NAME
  int pid = 0;        // -p PID
  std::string container;  // -c NAME|ID (Docker, Podman, containerd)
  bool json = false;  // --json
  bool no_color = false;
  int verbose = 0;
  // --ready-fd FD: "ready" is written there once the observation window is open.
  int ready_fd = -1;
};

using CommandRunner = std::function<int()>;  // returns the process exit code

// Exit codes (spec): 0 nothing at warning or above, 1 findings at warning or above, 2 error.
inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitError = 2;

void register_check_command(CLI::App& app, CommonOptions& common, CommandRunner& run);
void register_diagnose_command(CLI::App& app, CommonOptions& common, CommandRunner& run);
void register_trace_command(CLI::App& app, CommonOptions& common, CommandRunner& run);
void register_probe_command(CLI::App& app, CommonOptions& common, CommandRunner& run);
void register_capture_command(CLI::App& app, CommonOptions& common, CommandRunner& run);
void register_serve_command(CLI::App& app, CommonOptions& common, CommandRunner& run);
void register_watch_command(CLI::App& app, CommonOptions& common, CommandRunner& run);

// Adds -n/-p/-c/--json/--no-color/-v to a subcommand.
void add_common_options(CLI::App& sub, CommonOptions& common);

}  // namespace pktloss
