#include "cli/targets.h"

#include <unistd.h>

#include "render/text_renderer.h"

namespace pktloss {

std::vector<NetnsTarget> resolve_targets(const CommonOptions& common, bool every_netns) {
  if (every_netns) return all_netns();
  if (!common.netns.empty()) return {netns_by_name(common.netns)};
  if (common.pid > 0) return {netns_by_pid(common.pid)};
  return {current_netns()};
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
