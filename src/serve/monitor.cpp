#include "serve/monitor.h"

#include <malloc.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <exception>
#include <set>
#include <tuple>

#include "rules/drop_attribution.h"
#include "rules/engine.h"
#include "serve/layer_counters.h"
#include "session/snapshot_taker.h"
#include "util/clock.h"

namespace pktloss {
namespace {

double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

double unix_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

using RowKey = std::tuple<uint64_t, int, std::string, std::string, std::string, std::string>;
RowKey key_of(const DropEventRow& r) {
  return {r.netns_inode, r.ifindex, r.reason, r.location, r.proto, r.flow};
}

bool starts_with(const std::string& s, const char* p) {
  return s.rfind(p, 0) == 0;
}

// Collectors a snapshot always runs (with the options that enable them).
std::vector<std::string> collectors_run(const CollectOptions& c) {
  std::vector<std::string> v = {"netns", "links", "qdiscs", "routes", "proc", "softnet", "sysctls"};
  if (c.sockets) v.push_back("sockets");
  if (c.firewall) {
    v.push_back("conntrack");
    v.push_back("firewall");
  }
  return v;
}

}  // namespace

RateSample timeline_sample(const std::vector<MonitorState::LayerRates>& rates, double unix_s) {
  RateSample s;
  s.unix_s = unix_s;
  for (size_t i = 0; i < kLayerCount; ++i)
    for (const auto& lr : rates) {
      auto it = lr.per_s.find(to_string(kAllLayers[i]));
      if (it == lr.per_s.end()) continue;
      s.known[i] = true;
      if (it->second > 0) s.per_s[i] += it->second;
    }
  return s;
}

std::string collector_of_note(const std::string& note) {
  if (starts_with(note, "links:")) return "links";
  if (starts_with(note, "qdiscs:")) return "qdiscs";
  if (starts_with(note, "routes:") || starts_with(note, "neighbour")) return "routes";
  if (starts_with(note, "/proc/net/softnet_stat")) return "softnet";
  if (starts_with(note, "/proc/net/stat/nf_conntrack")) return "conntrack";
  // conntrack not loaded is a fact about the host, not a failing collector.
  if (starts_with(note, "conntrack:"))
    return note.find("not available") != std::string::npos ? "" : "conntrack";
  if (starts_with(note, "tcp") || starts_with(note, "udp") || starts_with(note, "socket"))
    return "sockets";
  if (starts_with(note, "sysctls:")) return "sysctls";
  if (starts_with(note, "/proc/")) return "proc";
  return "";
}

std::vector<DropEventRow> drop_rows_delta(const std::vector<DropEventRow>& before,
                                          const std::vector<DropEventRow>& after) {
  std::map<RowKey, const DropEventRow*> prev;
  for (const auto& r : before) prev[key_of(r)] = &r;
  std::vector<DropEventRow> out;
  for (const auto& r : after) {
    auto it = prev.find(key_of(r));
    DropEventRow d = r;
    if (it != prev.end()) {
      // The tracer's totals only grow while it runs; a smaller value means it was restarted.
      auto dp = counter_delta(it->second->packets, r.packets);
      auto db = counter_delta(it->second->bytes, r.bytes);
      d.packets = dp.delta;
      d.bytes = db.delta;
    }
    if (d.packets > 0) out.push_back(std::move(d));
  }
  std::stable_sort(out.begin(), out.end(), [](const DropEventRow& a, const DropEventRow& b) {
    return a.packets > b.packets;
  });
  return out;
}

Monitor::Monitor(MonitorOptions opts) : opts_(std::move(opts)) {
  if (opts_.interval_s <= 0) opts_.interval_s = 1;
  if (opts_.window_s < opts_.interval_s) opts_.window_s = opts_.interval_s;
  double n = std::ceil(std::max(opts_.timeline_s, 0.0) / opts_.interval_s);
  timeline_ = RateTimeline(static_cast<size_t>(std::clamp(n, 2.0, 3600.0)));
}

Monitor::~Monitor() {
  stop();
}

std::vector<NetnsTarget> Monitor::targets(std::vector<std::string>& missing) const {
  if (opts_.resolve) return opts_.resolve(missing);
  if (opts_.all_netns) return all_netns();
  if (opts_.netns_names.empty()) return {current_netns()};
  std::vector<NetnsTarget> out;
  for (const auto& name : opts_.netns_names) {
    try {
      out.push_back(netns_by_name(name));
    } catch (const std::exception& e) {
      missing.push_back(name);
    }
  }
  return out;
}

void Monitor::start() {
  collect_once();
  std::lock_guard<std::mutex> lk(mu_);
  stopping_ = false;
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void Monitor::stop() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (tracer_ && tracer_->available()) tracer_->stop();
  tracer_.reset();
  traced_inodes_.clear();
}

void Monitor::ensure_tracer(const std::vector<NetnsTarget>& targets) {
  if (!opts_.trace) return;
  std::vector<uint64_t> want;
  if (!opts_.all_netns) {
    for (const auto& t : targets) want.push_back(t.inode);
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
  }
  // A tracer that could not start is not retried every interval (it would fail the same way).
  if (tracer_ && (want == traced_inodes_ || !tracer_->available())) return;
  if (tracer_ && tracer_->available()) tracer_->stop();
  tracer_ = std::make_unique<DropTracer>();
  traced_inodes_ = want;
  ++tracer_epoch_;
  TraceFilters tf;
  tf.netns_inodes = want;
  for (const auto& t : targets) tf.netns_names[t.inode] = t.name;
  tracer_note_.clear();
  try {
    if (!tracer_->start(tf)) tracer_note_ = tracer_->unavailable_reason();
  } catch (const std::exception& e) {
    tracer_note_ = e.what();
  }
}

std::vector<DropEventRow> Monitor::drops_since(const Kept& k,
                                               const std::vector<DropEventRow>& later) const {
  return k.tracer_epoch == tracer_epoch_ ? drop_rows_delta(k.drops, later) : later;
}

void Monitor::loop() {
  auto next = std::chrono::steady_clock::now();
  const auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(opts_.interval_s));
  for (;;) {
    next += period;
    {
      std::unique_lock<std::mutex> lk(mu_);
      if (cv_.wait_until(lk, next, [this] { return stopping_; })) return;
    }
    // A collection slower than the interval delays the next one instead of piling up.
    auto now = std::chrono::steady_clock::now();
    if (next < now) next = now;
    try {
      collect_once();
    } catch (const std::exception&) {
      // collect_once already turns collector failures into notes; anything else skips a round.
    }
  }
}

std::shared_ptr<const MonitorState> Monitor::latest() const {
  std::lock_guard<std::mutex> lk(mu_);
  return state_;
}

std::shared_ptr<const MonitorState> Monitor::wait_for(uint64_t generation,
                                                      std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait_for(lk, timeout,
               [&] { return stopping_ || (state_ && state_->generation > generation); });
  return state_;
}

void Monitor::on_publish(std::function<void(const std::shared_ptr<const MonitorState>&)> fn) {
  std::lock_guard<std::mutex> lk(mu_);
  on_publish_ = std::move(fn);
}

void Monitor::collect_once() {
  const double t0 = monotonic_seconds();
  const double cpu0 = process_cpu_seconds();
  std::vector<std::string> missing;
  std::vector<NetnsTarget> tg;
  std::string resolve_error;
  try {
    tg = targets(missing);
  } catch (const std::exception& e) {
    resolve_error = e.what();
  }
  ensure_tracer(tg);
  auto snap = std::make_shared<Snapshot>(take_snapshot(tg, opts_.collect));
  for (const auto& name : missing) {
    NetnsSnapshot gone;
    gone.name = name;
    gone.entered = false;
    gone.notes.push_back("namespace " + name + " not found (vanished?); retrying every interval");
    snap->namespaces.push_back(std::move(gone));
  }

  auto st = std::make_shared<MonitorState>();
  st->tracer_enabled = opts_.trace;
  st->tracer_available = tracer_ && tracer_->available();
  st->tracer_note = tracer_note_;
  std::vector<DropEventRow> totals;
  if (st->tracer_available) {
    std::map<uint64_t, std::string> names;
    for (const auto& ns : snap->namespaces)
      if (ns.entered) names[ns.inode] = ns.name;
    for (auto& r :
         attribute_drops(tracer_->rows(), DropAttributionOptions{traced_inodes_, false})) {
      auto it = names.find(r.netns_inode);
      if (it == names.end()) continue;
      r.netns = it->second;
      totals.push_back(std::move(r));
    }
    st->trace_stats = tracer_->stats();
  }

  // Window start: the newest kept snapshot at least window_s old (a quarter interval of slack
  // for timer jitter), else the oldest one: early on the window is just shorter.
  const double now = snap->monotonic_s;
  const double slack = opts_.interval_s / 4;
  const Kept* start = nullptr;
  for (const auto& k : history_)
    if (now - k.snap->monotonic_s >= opts_.window_s - slack) start = &k;
  if (!start && !history_.empty()) start = &history_.front();

  Observations obs;
  if (st->tracer_available) {
    obs.drop_events_available = true;
    obs.drop_events = start ? drops_since(*start, totals) : totals;
  }
  st->report = evaluate(start ? start->snap.get() : nullptr, *snap, obs, opts_.rules);
  if (!resolve_error.empty()) st->report.notes.push_back(resolve_error);
  if (opts_.trace && !st->tracer_available && !tracer_note_.empty())
    st->report.notes.push_back("kernel drop tracer: " + tracer_note_ + " (degraded)");
  if (st->tracer_available)
    for (const auto& n : tracer_->notes()) st->report.notes.push_back(n);
  st->window_start = start ? start->snap : nullptr;

  // Keep snapshots window/N apart (bounded memory whatever the interval), and drop the ones
  // older than the current window start.
  if (start) {
    while (!history_.empty() && history_.front().snap != start->snap) history_.pop_front();
  }
  const double spacing = opts_.window_s / std::max(1, opts_.window_snapshots);
  if (history_.empty() || now - history_.back().snap->monotonic_s >= spacing - slack)
    history_.push_back({snap, totals, tracer_epoch_});

  for (const auto& c : collectors_run(opts_.collect)) st->collector_up[c] = true;
  if (!resolve_error.empty()) st->collector_up["netns"] = false;
  for (const auto& ns : snap->namespaces) {
    st->netns_up[ns.name] = ns.entered;
    if (!ns.entered) st->collector_up["netns"] = false;
    for (const auto& n : ns.notes) {
      std::string c = collector_of_note(n);
      if (!c.empty()) st->collector_up[c] = false;
    }
    if (ns.entered && opts_.collect.firewall && !ns.firewall.notes.empty())
      st->collector_up["firewall"] = false;
  }
  if (opts_.trace) st->collector_up["trace"] = st->tracer_available;

  if (previous_.snap) {
    st->rate_interval_s = now - previous_.snap->monotonic_s;
    double dt = std::max(st->rate_interval_s, 1e-3);
    for (const auto& ns : snap->namespaces) {
      const NetnsSnapshot* prev = previous_.snap->find(ns.inode);
      if (!ns.entered || !prev || !prev->entered) continue;
      MonitorState::LayerRates lr;
      lr.netns = ns.name;
      for (const auto& [layer, n] : layer_drop_deltas(*prev, ns)) lr.per_s[layer] = n / dt;
      st->layer_rates.push_back(std::move(lr));
    }
    st->recent_drops = drops_since(previous_, totals);
    timeline_.push(timeline_sample(st->layer_rates, unix_seconds()));
  }
  st->timeline = timeline_.samples();
  previous_ = {snap, totals, tracer_epoch_};
  st->drop_totals = std::move(totals);
  st->latest = std::move(snap);
  st->interval_s = opts_.interval_s;
  st->window_s = opts_.window_s;
  st->generation = ++generation_;
  st->collections = generation_;
  st->collect_duration_s = monotonic_seconds() - t0;
  st->collect_cpu_s = process_cpu_seconds() - cpu0;
  st->collected_unix_s = unix_seconds();

  std::shared_ptr<const MonitorState> published = std::move(st);
  std::function<void(const std::shared_ptr<const MonitorState>&)> cb;
  {
    std::lock_guard<std::mutex> lk(mu_);
    cb = on_publish_;
  }
  // The consumer renders before readers can see the state, so a scrape never renders.
  if (cb) cb(published);
  {
    std::lock_guard<std::mutex> lk(mu_);
    state_ = published;
  }
  cv_.notify_all();
  // A snapshot of a big host is tens of MB freed at once, much of it by the short-lived threads
  // that entered the namespaces (their own malloc arenas): give it back so RSS follows the
  // live data instead of the peak.
  malloc_trim(0);
}

}  // namespace pktloss
