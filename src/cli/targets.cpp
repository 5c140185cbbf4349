#include "cli/targets.h"

#include <unistd.h>

#include <cstdio>

#include "model/report.h"
#include "render/json_renderer.h"
#include "render/text_renderer.h"

namespace pktloss {

std::vector<NetnsTarget> resolve_targets(const CommonOptions& common, bool every_netns) {
  if (every_netns) return all_netns();
  if (!common.netns.empty()) return {netns_by_name(common.netns)};
  if (common.pid > 0) return {netns_by_pid(common.pid)};
  return {current_netns()};
}

int emit_report(const Report& report, const CommonOptions& common) {
  std::string out;
  if (common.json) {
    out = render_json(report);
  } else {
    TextStyle style;
    style.color = !common.no_color && isatty(STDOUT_FILENO);
    style.verbose = common.verbose > 0;
    style.width = terminal_columns(STDOUT_FILENO);
    out = render_text(report, style);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  for (const auto& f : report.findings)
    if (f.severity >= Severity::warning) return kExitFindings;
  return kExitClean;
}

}  // namespace pktloss
