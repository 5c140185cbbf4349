#pragma once
// Glue between the monitor and the HTTP server: renders the metrics once per collection (both
// formats), keeps the text as shared immutable state, and answers requests from it.
#include <memory>
#include <mutex>
#include <string>

#include "render/metrics_renderer.h"
#include "serve/http_server.h"
#include "serve/monitor.h"

namespace pktloss {

class Exporter {
 public:
  Exporter(Monitor& monitor, MetricsLimits limits)
      : Exporter(monitor.options().interval_s, limits) {}
  // interval_s: the monitor's collection interval (what "healthy" is measured against).
  Exporter(double interval_s, MetricsLimits limits);
  // Renders `st` (called by the monitor after each collection, on its thread).
  void publish(const std::shared_ptr<const MonitorState>& st);
  // Answers one request; `http` supplies the per-request self-stats (may be null).
  HttpReply handle(const std::string& path, const std::string& accept,
                   const HttpServer* http) const;

 private:
  struct Cached {
    std::string prometheus, openmetrics;
    std::string index;  // the HTML index page with the time line
    uint64_t generation = 0;
    double collected_unix_s = 0;
    size_t series = 0;
  };
  double interval_s_;
  MetricsLimits limits_;
  std::map<std::string, uint64_t> series_dropped_;  // monitor thread only
  mutable std::mutex mu_;
  std::shared_ptr<const Cached> cached_;
};

}  // namespace pktloss
