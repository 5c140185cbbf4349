#pragma once
// Prometheus text exposition (0.0.4) and OpenMetrics 1.0.0 of a report and the raw snapshot
// behind it, for `pktloss serve`. Prints only: every number comes from the report, the
// snapshot, the tracer rows or the monitor's self-stats. The one thing decided here is how
// many series a family may show (cardinality limit); what was cut is counted in
// pktloss_series_dropped_total{family}.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/observations.h"
#include "model/report.h"
#include "model/snapshot.h"

namespace pktloss {

enum class MetricsFormat { prometheus, openmetrics };

struct MetricsLimits {
  size_t max_series_per_family = 2000;  // largest values kept
  size_t max_sockets = 100;             // per socket family (the top-N by value)
  size_t max_label_bytes = 200;         // rule text and other free text, cut on a UTF-8 boundary
};

// About pktloss itself (filled by the monitor and the HTTP layer).
struct MetricsSelf {
  std::string version;
  double collect_duration_s = 0;
  double collect_cpu_s = 0;
  double last_collect_unix_s = 0;
  uint64_t collections = 0;
  double interval_s = 0;
  double window_s = 0;  // configured; the report's window_s is the actual one
  std::map<std::string, bool> collector_up;
  std::map<std::string, bool> netns_up;
  bool tracer_available = false;
  TraceStats trace_stats;
};

struct MetricsInput {
  const Report* report = nullptr;
  const Snapshot* snapshot = nullptr;
  const std::vector<DropEventRow>* drop_totals = nullptr;  // tracer totals since start
  MetricsSelf self;
  MetricsLimits limits;
  // pktloss_series_dropped_total so far (the counter keeps growing across renders).
  std::map<std::string, uint64_t> series_dropped_before;
};

struct MetricsOutput {
  std::string text;  // every family; for OpenMetrics without the final "# EOF" (see trailer)
  std::map<std::string, uint64_t> series_dropped;  // before + what this render cut
  size_t series = 0;                               // samples printed
};

MetricsOutput render_metrics(const MetricsInput& in, MetricsFormat format);

// Per-request counters of the HTTP layer, appended to the cached text at each scrape.
struct HttpSelfStats {
  uint64_t requests = 0;
  uint64_t connections_rejected = 0;  // over the connection limit
  uint64_t connections_evicted = 0;   // slow clients closed to make room
  uint64_t requests_timed_out = 0;    // request headers not received in time
  double last_scrape_render_s = 0;    // time to assemble the previous /metrics answer
};
std::string render_http_self(const HttpSelfStats& s, MetricsFormat format);
// "# EOF\n" for OpenMetrics, "" for the Prometheus text format.
std::string metrics_trailer(MetricsFormat format);

std::string metrics_content_type(MetricsFormat format);
// OpenMetrics when the Accept header asks for application/openmetrics-text (Prometheus does).
MetricsFormat negotiate_metrics_format(const std::string& accept);

// Exposition-format helpers (exposed for tests).
std::string escape_label_value(const std::string& v);  // backslash, quote, newline
std::string escape_help(const std::string& v, MetricsFormat format);
// Valid UTF-8, at most max_bytes (cut on a character boundary); invalid bytes become '?'.
std::string sanitize_label_text(const std::string& v, size_t max_bytes);
// [a-z0-9_]: "TcpExt.ListenDrops" -> "tcpext_listendrops".
std::string metric_name_part(const std::string& v);

}  // namespace pktloss
