#include "cli/targets.h"

#include <unistd.h>

#include <cstdio>
#include <set>

#include "cli/monitor_options.h"
#include "container/resolver.h"
#include "render/text_renderer.h"

namespace pktloss {
namespace {

void add_notes(const std::vector<std::string>& from, std::vector<std::string>* to) {
  for (const auto& n : from) {
    if (to)
      to->push_back(n);
    else
      std::fprintf(stderr, "pktloss: note: %s\n", n.c_str());
  }
}

}  // namespace

NetnsTarget container_target(const std::string& query, std::vector<std::string>* notes) {
  auto c = container::resolve_container(query);
  add_notes(c.notes, notes);
  return c.target;
}

std::vector<NetnsTarget> all_netns_named(std::vector<std::string>* notes) {
  auto targets = all_netns();
  // Runtimes that are absent cost a stat each; a hung one at most the short timeout per request.
  container::HttpLimits limits;
  limits.timeout_s = 2;
  auto where = container::RuntimeEndpoints::from_env();
  auto inv = container::list_containers(where, limits);
  container::inspect_running(inv, where, limits);
  container::name_by_container(targets, inv);
  add_notes(inv.notes, notes);
  return targets;
}

std::vector<NetnsTarget> resolve_targets(const CommonOptions& common, bool every_netns,
                                         std::vector<std::string>* notes) {
  if (every_netns) return all_netns_named(notes);
  if (!common.container.empty()) return {container_target(common.container, notes)};
  if (!common.netns.empty()) return {netns_by_name(common.netns)};
  if (common.pid > 0) return {netns_by_pid(common.pid)};
  return {current_netns()};
}

std::function<std::vector<NetnsTarget>(std::vector<std::string>& missing)> monitor_resolver(
    const MonitorTargetOptions& o) {
  if (o.all_netns)
    return [](std::vector<std::string>&) {
      // A runtime that fails says so once, not every interval.
      static std::set<std::string> said;
      std::vector<std::string> notes;
      auto t = all_netns_named(&notes);
      for (const auto& n : notes)
        if (said.insert(n).second) std::fprintf(stderr, "pktloss: note: %s\n", n.c_str());
      return t;
    };
  if (o.containers.empty()) return nullptr;
  return [o](std::vector<std::string>& missing) {
    std::vector<NetnsTarget> out;
    for (const auto& n : o.netns) {
      try {
        out.push_back(netns_by_name(n));
      } catch (const std::exception&) {
        missing.push_back(n);
      }
    }
    for (const auto& c : o.containers) {
      try {
        std::vector<std::string> notes;
        out.push_back(container_target(c, &notes));
      } catch (const std::exception&) {
        // Shown as a namespace not found this round, under the name the user gave.
        missing.push_back(c);
      }
    }
    return out;
  };
}

OutputSpec output_spec(const CommonOptions& common, TextView view) {
  OutputSpec spec;
  spec.format = common.json ? OutputFormat::json : OutputFormat::text;
  spec.view = view;
  spec.color = !common.json && !common.no_color && isatty(STDOUT_FILENO);
  spec.verbose = common.verbose > 0;
  spec.width = common.json ? 0 : terminal_columns(STDOUT_FILENO);
  return spec;
}

}  // namespace pktloss
