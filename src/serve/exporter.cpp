#include "serve/exporter.h"

#include <ctime>

#include "render/svg_timeline.h"

namespace pktloss {
namespace {

double unix_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char* kIndex =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>pktloss exporter</title></head>\n"
    "<body><h1>pktloss exporter</h1>\n"
    "<p>Where and why this host loses packets, as Prometheus metrics.</p>\n"
    "<ul><li><a href=\"/metrics\">/metrics</a> (Prometheus text 0.0.4, OpenMetrics 1.0.0 on "
    "request)</li>\n<li><a href=\"/-/healthy\">/-/healthy</a></li></ul>\n</body></html>\n";

}  // namespace

Exporter::Exporter(double interval_s, MetricsLimits limits)
    : interval_s_(interval_s), limits_(limits) {}

void Exporter::publish(const std::shared_ptr<const MonitorState>& st) {
  MetricsInput in;
  in.report = &st->report;
  in.snapshot = st->latest.get();
  in.drop_totals = &st->drop_totals;
  in.limits = limits_;
  in.series_dropped_before = series_dropped_;
  in.self.version = PKTLOSS_VERSION;
  in.self.collect_duration_s = st->collect_duration_s;
  in.self.collect_cpu_s = st->collect_cpu_s;
  in.self.last_collect_unix_s = st->collected_unix_s;
  in.self.collections = st->collections;
  in.self.interval_s = st->interval_s;
  in.self.window_s = st->window_s;
  in.self.collector_up = st->collector_up;
  in.self.netns_up = st->netns_up;
  in.self.tracer_available = st->tracer_available;
  in.self.trace_stats = st->trace_stats;
  auto c = std::make_shared<Cached>();
  MetricsOutput prom = render_metrics(in, MetricsFormat::prometheus);
  c->openmetrics = render_metrics(in, MetricsFormat::openmetrics).text;
  c->prometheus = std::move(prom.text);
  c->index = render_exporter_index(*st);
  c->series = prom.series;
  c->generation = st->generation;
  c->collected_unix_s = st->collected_unix_s;
  series_dropped_ = std::move(prom.series_dropped);
  std::lock_guard<std::mutex> lk(mu_);
  cached_ = std::move(c);
}

HttpReply Exporter::handle(const std::string& path, const std::string& accept,
                           const HttpServer* http) const {
  std::shared_ptr<const Cached> c;
  {
    std::lock_guard<std::mutex> lk(mu_);
    c = cached_;
  }
  HttpReply r;
  // The index page before the first collection.
  if (path == "/") {
    r.content_type = "text/html; charset=utf-8";
    r.body = c ? c->index : kIndex;
    return r;
  }
  // Healthy while collections keep coming: three intervals (at least 30 s) without one is not.
  double max_age = std::max(30.0, 3 * interval_s_);
  bool fresh = c && unix_now() - c->collected_unix_s < max_age;
  if (path == "/-/healthy" || path == "/-/ready") {
    r.status = fresh ? 200 : 503;
    r.body = fresh ? "pktloss exporter is healthy.\n"
                   : "no collection in the last " + std::to_string(int(max_age)) + " s\n";
    return r;
  }
  if (!c) {
    r.status = 503;
    r.body = "no collection yet\n";
    return r;
  }
  MetricsFormat fmt = negotiate_metrics_format(accept);
  const std::string& text = fmt == MetricsFormat::openmetrics ? c->openmetrics : c->prometheus;
  std::string self = http ? render_http_self(http->stats(), fmt) : std::string();
  std::string trailer = metrics_trailer(fmt);
  r.body.reserve(text.size() + self.size() + trailer.size());
  r.body += text;
  r.body += self;
  r.body += trailer;
  r.content_type = metrics_content_type(fmt);
  return r;
}

}  // namespace pktloss
