#include "render/emit.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>

#include "render/capture_flows.h"
#include "render/drop_table.h"
#include "render/html_renderer.h"
#include "render/json_renderer.h"
#include "render/metrics_renderer.h"
#include "render/probe_view.h"
#include "render/text_renderer.h"
#include "util/atomic_file.h"

namespace pktloss {
namespace {

std::string render_text_view(const RenderInput& in, const OutputSpec& spec) {
  const Report& r = in.report;
  switch (spec.view) {
    case TextView::probes:
      return render_probe_view(r, spec.verbose);
    case TextView::drops: {
      TableStyle style;
      style.color = spec.color;
      style.flows = spec.flows;
      std::string out = render_drop_table(r.drop_events, style, r.window_s);
      for (const auto& n : r.notes) out += "note: " + n + "\n";
      return out;
    }
    case TextView::capture:
    case TextView::report:
      break;
  }
  TextStyle style;
  style.color = spec.color;
  style.verbose = spec.verbose;
  style.width = spec.width;
  if (spec.view != TextView::capture || !r.capture) return render_text(r, style);
  // A saved file: the header names it, and the path shows only what a capture can measure.
  if (r.capture_source.find('@') == std::string::npos) style.capture_file = r.capture_source;
  return render_capture_flows(*r.capture, spec.flows || spec.verbose) + "\n" +
         render_text(r, style);
}

// One collection's exposition: the raw counters of the last snapshot, the tracer's rows of the
// window (counted from its start), the findings and pktloss's own build and timing.
std::string render_metrics_text(const RenderInput& in, MetricsFormat format) {
  MetricsInput mi;
  mi.report = &in.report;
  mi.snapshot = in.snapshot;
  if (!in.report.drop_events.empty()) mi.drop_totals = &in.report.drop_events;
  if (in.metrics_self) mi.self = *in.metrics_self;
  if (mi.self.version.empty()) mi.self.version = in.report.version;
  return render_metrics(mi, format).text + metrics_trailer(format);
}

using Renderer = std::function<std::string(const RenderInput&, const OutputSpec&)>;

const std::map<OutputFormat, Renderer>& renderers() {
  static const std::map<OutputFormat, Renderer> kTable = {
      {OutputFormat::text, render_text_view},
      {OutputFormat::json,
       [](const RenderInput& in, const OutputSpec&) { return render_json(in.report); }},
      {OutputFormat::html,
       [](const RenderInput& in, const OutputSpec&) { return render_html(in.report); }},
      {OutputFormat::prometheus,
       [](const RenderInput& in, const OutputSpec&) {
         return render_metrics_text(in, MetricsFormat::prometheus);
       }},
      {OutputFormat::openmetrics,
       [](const RenderInput& in, const OutputSpec&) {
         return render_metrics_text(in, MetricsFormat::openmetrics);
       }},
  };
  return kTable;
}

}  // namespace

std::string render(OutputFormat format, const RenderInput& in, const OutputSpec& spec) {
  auto it = renderers().find(format);
  if (it == renderers().end()) throw std::invalid_argument("no renderer for this output format");
  return it->second(in, spec);
}

int exit_code_for(const Report& report) {
  for (const auto& f : report.findings)
    if (f.severity >= Severity::warning) return 1;
  return 0;
}

int emit(const RenderInput& in, const OutputSpec& spec) {
  if (!spec.html_file.empty()) {
    std::ofstream file(spec.html_file);
    file << render(OutputFormat::html, in, spec);
    file.close();  // a full disk shows only when the buffer is written out
    if (!file) throw std::runtime_error("cannot write " + spec.html_file);
    std::fprintf(stderr, "pktloss: HTML report written to %s\n", spec.html_file.c_str());
  }
  if (!spec.metrics_file.empty())
    write_file_atomically(spec.metrics_file, render(OutputFormat::prometheus, in, spec));
  std::string out = render(spec.format, in, spec);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    int e = errno;
    // A reader that went away (`| head`): end the way every filter does, quietly by SIGPIPE,
    // even when SIGPIPE was inherited as ignored.
    if (e == EPIPE) {
      std::signal(SIGPIPE, SIG_DFL);
      std::raise(SIGPIPE);
    }
    // A report that did not reach its reader (disk full, stdout closed) must not look like
    // success to a script.
    throw std::runtime_error(std::string("cannot write the report to standard output: ") +
                             std::strerror(e));
  }
  return exit_code_for(in.report);
}

}  // namespace pktloss
