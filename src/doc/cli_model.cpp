#include "doc/cli_model.h"

#include <algorithm>

namespace pktloss::doc {
namespace {

bool has_name(const OptionDoc& o, const std::string& n) {
  return std::find(o.names.begin(), o.names.end(), n) != o.names.end();
}

// Values a shell can list: namespaces, interfaces, containers, PIDs, files; chosen by the option's
// long name because CLI11 stores no value semantics beyond the type.
ValueKind kind_for(const OptionDoc& o) {
  if (!o.takes_value) return ValueKind::none;
  if (!o.words.empty()) return ValueKind::words;
  if (has_name(o, "--netns") || has_name(o, "--observe")) return ValueKind::netns;
  if (has_name(o, "--interface") || has_name(o, "--dev")) return ValueKind::interface;
  if (has_name(o, "--container") || has_name(o, "--observe-container")) return ValueKind::container;
  if (has_name(o, "--pid")) return ValueKind::pid;
  for (const char* n :
       {"--read", "--write", "--html", "--prometheus", "--file", "--output", "--config"})
    if (has_name(o, n)) return ValueKind::file;
  return ValueKind::none;
}

// CLI11's IsMember describes itself as "{tcp,udp,icmp}".
std::vector<std::string> member_words(const std::string& constraint) {
  std::vector<std::string> out;
  auto open = constraint.find('{');
  auto close = constraint.find('}', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return out;
  std::string inner = constraint.substr(open + 1, close - open - 1);
  size_t start = 0;
  while (start <= inner.size()) {
    size_t comma = inner.find(',', start);
    if (comma == std::string::npos) comma = inner.size();
    std::string w = inner.substr(start, comma - start);
    w.erase(0, w.find_first_not_of(' '));
    if (!w.empty() && w.find_first_of(" \t'\"") == std::string::npos) out.push_back(w);
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> names_of(const CLI::Option& opt) {
  std::vector<std::string> names;
  for (const auto& s : opt.get_snames()) names.push_back("-" + s);
  for (const auto& l : opt.get_lnames()) names.push_back("--" + l);
  return names;
}

// CLI11's validator names, as words.
std::string readable_constraint(const std::string& c) {
  if (c == "POSITIVE") return "positive numbers";
  if (c == "NONNEGATIVE") return "non-negative numbers";
  if (c == "FILE") return "an existing file";
  if (c == "DIR") return "an existing directory";
  if (c == "PATH(existing)") return "an existing path";
  return c;
}

OptionDoc describe_option(const CLI::Option& opt) {
  OptionDoc o;
  o.names = names_of(opt);
  o.takes_value = opt.get_items_expected_max() > 0;  // flags expect 0 values
  o.repeatable = o.takes_value && opt.get_items_expected_max() > 1;
  o.required = opt.get_required();
  std::string type = opt.get_type_name();
  auto colon = type.find(':');
  o.value_name = type.substr(0, colon);
  if (colon != std::string::npos) o.constraint = readable_constraint(type.substr(colon + 1));
  if (o.value_name.empty() && o.takes_value) o.value_name = "VALUE";
  o.default_value = opt.get_default_str();
  o.description = opt.get_description();
  for (const CLI::Option* ex : opt.get_excludes()) {
    auto names = names_of(*ex);
    if (!names.empty()) o.excludes.push_back(names.back());
  }
  std::sort(o.excludes.begin(), o.excludes.end());
  if (o.takes_value) o.words = member_words(o.constraint);
  o.kind = kind_for(o);
  return o;
}

CommandDoc describe_command(const CLI::App& app, const std::string& name) {
  CommandDoc c;
  c.name = name;
  c.description = app.get_description();
  // Options in a hidden group (group "") are not documented, as in --help.
  for (const CLI::Option* opt :
       app.get_options([](const CLI::Option* o) { return !o->get_group().empty(); })) {
    if (!opt->nonpositional()) continue;
    c.options.push_back(describe_option(*opt));
  }
  return c;
}

}  // namespace

CliDoc describe_cli(const CLI::App& app) {
  CliDoc doc;
  doc.program = describe_command(app, "");
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
    doc.commands.push_back(describe_command(*sub, sub->get_name()));
  return doc;
}

}  // namespace pktloss::doc
