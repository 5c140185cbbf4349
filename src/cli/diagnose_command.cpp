// `pktloss diagnose`: probe a target while watching every layer of the probing namespace and of
// every --observe namespace, then report every concurrent cause at once.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "cli/command.h"
#include "cli/diagnose_session.h"
#include "cli/targets.h"
#include "render/html_renderer.h"

namespace pktloss {
namespace {

int run_diagnose(const CommonOptions& common, DiagnoseOptions opts) {
  // The probing namespace is observed first; --observe adds more, each once (by inode).
  auto probing = resolve_targets(common, false).front();
  std::vector<NetnsTarget> observed{probing};
  std::set<uint64_t> seen{probing.inode};
  for (const auto& name : opts.observe) {
    auto t = netns_by_name(name);
    if (seen.insert(t.inode).second) observed.push_back(t);
  }
  opts.progress = !common.json && isatty(STDERR_FILENO);
  Report report = diagnose(probing, observed, opts);
  if (!opts.html_file.empty()) {
    std::ofstream out(opts.html_file);
    out << render_html(report);
    if (!out) throw std::runtime_error("cannot write " + opts.html_file);
    std::fprintf(stderr, "pktloss: HTML report written to %s\n", opts.html_file.c_str());
  }
  return emit_report(report, common);
}

}  // namespace

void register_diagnose_command(CLI::App& app, CommonOptions& common, CommandRunner& run) {
  auto* sub = app.add_subcommand(
      "diagnose", "probe a target while watching every layer; report every concurrent cause");
  add_common_options(*sub, common);
  auto opts = std::make_shared<DiagnoseOptions>();
  sub->add_option("--target", opts->target, "HOST[:PORT] to probe (port 80 by default)")
      ->required();
  sub->add_option("--observe", opts->observe,
                  "also snapshot this namespace before/after the probes (repeatable), "
                  "e.g. the server's");
  sub->add_option("--count", opts->count, "probes per kind")->check(CLI::Range(1, 10000));
  sub->add_option("--interval", opts->interval_ms, "milliseconds between probes")
      ->check(CLI::Range(0, 10000));
  sub->add_option("--sizes", opts->sizes, "size sweep: auto, none, or a list like 64,500,1400");
  sub->add_option("--path", opts->http_path, "HTTP path to GET (default /)");
  sub->add_flag("--trace", opts->trace, "record kernel drop reasons (eBPF) during the probes");
  sub->add_flag("--capture", opts->capture, "capture the probe traffic (libpcap) and analyse it");
  sub->add_option("--html", opts->html_file, "also write an HTML report to FILE");
  sub->callback(
      [&run, &common, opts] { run = [&common, opts] { return run_diagnose(common, *opts); }; });
}

}  // namespace pktloss
