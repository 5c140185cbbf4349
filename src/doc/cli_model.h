#pragma once
// A plain view of the CLI11 definitions (subcommands, options, value kinds) that the man page and
// shell completion generators share, so both follow whatever the register_*_command functions add.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace pktloss::doc {

// What a shell should offer as an option's value.
enum class ValueKind { none, netns, interface, container, pid, file, words };

struct OptionDoc {
  std::vector<std::string> names;  // "-i", "--interval"
  bool takes_value = false;
  bool repeatable = false;
  bool required = false;
  std::string value_name;     // "FLOAT", "TEXT" (CLI11 type name before ':')
  std::string constraint;     // "FLOAT in [0 - 3600]" (the validators' description)
  std::string default_value;  // "" unless the option captured its default
  std::string description;
  std::vector<std::string> excludes;  // first name of each option it excludes
  ValueKind kind = ValueKind::none;
  std::vector<std::string> words;  // ValueKind::words: the accepted values
};

struct CommandDoc {
  std::string name;         // "check"; "" for the program itself
  std::string description;  // CLI11 description
  std::vector<OptionDoc> options;
};

struct CliDoc {
  CommandDoc program;                // --help, --version
  std::vector<CommandDoc> commands;  // visible subcommands, in registration order
};

CliDoc describe_cli(const CLI::App& app);

}  // namespace pktloss::doc
