#pragma once
// The one output path of every command: a report goes out through a table of renderers chosen
// by an output spec, and the exit code is computed here and nowhere else (spec: 0 nothing at
// warning or above, 1 findings at warning or above; 2, errors, is main()'s).
#include <string>

#include "model/report.h"
#include "model/snapshot.h"
#include "render/metrics_renderer.h"

namespace pktloss {

enum class OutputFormat { text, json, html, prometheus, openmetrics };

// What a text rendering shows: the whole report, or the view a command is about.
enum class TextView {
  report,   // verdict, probes, packet path, findings, notes (check, diagnose, capture)
  probes,   // the probe table and its findings (probe)
  drops,    // the kernel drop table (trace)
  capture,  // the flows of a capture, then the report as a capture can support it (capture)
};

struct OutputSpec {
  OutputFormat format = OutputFormat::text;
  TextView view = TextView::report;
  bool color = false;     // only ever true on a terminal
  bool verbose = false;   // -v: informational findings, every note
  bool flows = false;     // drop table: the flow column
  int width = 0;          // terminal columns for the side-by-side path picture (0: no terminal)
  std::string html_file;  // also write the HTML report here ("" = no)
  // Also write the Prometheus text exposition here, atomically ("" = no): for node_exporter's
  // textfile collector, so a cron'd or timer'd `check` feeds the monitoring stack without serve.
  std::string metrics_file;
};

// What a renderer reads: the report, and for the metrics formats the raw counters behind it
// (the window's last snapshot) and what pktloss says about itself (version, collection time).
struct RenderInput {
  const Report& report;
  const Snapshot* snapshot = nullptr;
  const MetricsSelf* metrics_self = nullptr;
};

// The renderer for a format; throws std::invalid_argument when this build has none for it.
std::string render(OutputFormat format, const RenderInput& in, const OutputSpec& spec);

// Renders to stdout (and html_file) and returns the exit code for the report.
int emit(const RenderInput& in, const OutputSpec& spec);
inline int emit(const Report& report, const OutputSpec& spec) {
  return emit(RenderInput{report}, spec);
}

int exit_code_for(const Report& report);

}  // namespace pktloss
