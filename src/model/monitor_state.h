#pragma once
// What one collection of `pktloss serve` / `watch` publishes: the latest raw snapshot, the
// report over the rolling window, the tracer's totals and the collectors' health. Plain data, so
// that the metrics and watch renderers read it without seeing the monitor that fills it.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/observations.h"
#include "model/rate_timeline.h"
#include "model/report.h"
#include "model/snapshot.h"

namespace pktloss {

// Outcome of one collection, published as a whole and never modified afterwards.
struct MonitorState {
  uint64_t generation = 0;                       // 1 for the first collection
  std::shared_ptr<const Snapshot> latest;        // raw counters, as the kernel reports them
  std::shared_ptr<const Snapshot> window_start;  // the snapshot the report compares with
  Report report;                                 // evaluate(window_start, latest, obs, cfg)
  // Kernel drop rows accumulated since the tracer started (cumulative totals).
  std::vector<DropEventRow> drop_totals;
  bool tracer_enabled = false;
  bool tracer_available = false;
  std::string tracer_note;  // why not, when unavailable
  TraceStats trace_stats;
  // Collector -> up (every namespace collected it without error). "netns", "links", "qdiscs",
  // "proc", "softnet", "sockets", "conntrack", "firewall", "routes", "sysctls", "trace".
  std::map<std::string, bool> collector_up;
  // Namespace name -> entered. A vanished -n namespace is listed with false.
  std::map<std::string, bool> netns_up;
  // Since the previous collection (the live view): per namespace, packets per second each
  // layer's raw drop counters moved, and the kernel drop rows that grew.
  struct LayerRates {
    std::string netns;
    std::map<std::string, double> per_s;  // layer -> packets/s
  };
  std::vector<LayerRates> layer_rates;
  // Drops per second per layer over the last collections, all namespaces together, oldest
  // first (the monitor's bounded ring, copied).
  std::vector<RateSample> timeline;
  std::vector<DropEventRow> recent_drops;
  double rate_interval_s = 0;     // 0 for the first collection
  double collect_duration_s = 0;  // wall time of this collection + evaluation
  double collect_cpu_s = 0;       // CPU time of the process during it
  double collected_unix_s = 0;    // wall clock when published
  double interval_s = 0;
  double window_s = 0;
  uint64_t collections = 0;  // collections so far (== generation)
};

}  // namespace pktloss
