#pragma once
// The monitoring loop behind `pktloss serve` and `pktloss watch`: a background thread takes a
// snapshot every interval, keeps a rolling window of past snapshots, runs the same rules as
// `check -i` over that window and publishes one immutable MonitorState. Readers (a scrape, a
// screen refresh) only take the latest published state; they never collect or evaluate.
//
// The session pipeline can drive this class through the same interface: start(), stop(),
// latest(), wait_for(), and on_publish() for a consumer that renders once per collection.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "collect/collect_options.h"
#include "model/monitor_state.h"
#include "model/report.h"
#include "model/snapshot.h"
#include "netns/netns.h"
#include "rules/rule_config.h"
#include "trace/drop_tracer.h"

namespace pktloss {

struct MonitorOptions {
  double interval_s = 5;                 // between collections
  double window_s = 60;                  // the rules compare the latest snapshot with one this old
  bool all_netns = false;                // re-resolved every interval: namespaces come and go
  std::vector<std::string> netns_names;  // -n NAME ...; empty and !all_netns: this namespace
  bool trace = true;                     // eBPF kernel drop tracer, running continuously
  // Snapshots kept for the rolling window, spaced window/N apart: the window start is then
  // between window and window*(1+1/N) old. Each is a slim copy (serve/window_snapshot.h: the
  // counters and identities the rules read from an earlier snapshot, ~0.5 kB per link).
  int window_snapshots = 4;
  // The drops-per-second time line (index page, watch sparklines) covers this long: a ring of
  // timeline_s / interval_s samples (at least 2, at most 3600), 80 bytes each.
  double timeline_s = 600;
  CollectOptions collect;
  RuleConfig rules;
  // Replaces target resolution (tests). Returns the targets and, for names that could not be
  // resolved this round, a one-line note each.
  std::function<std::vector<NetnsTarget>(std::vector<std::string>& missing)> resolve;
};

class Monitor {
 public:
  explicit Monitor(MonitorOptions opts);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Starts the tracer and the background thread. The first collection runs before start()
  // returns, so latest() is never null afterwards.
  void start();
  // Stops the thread (returns within about one collection) and the tracer.
  void stop();

  std::shared_ptr<const MonitorState> latest() const;
  // Waits until a state newer than `generation` is published, or the timeout, or stop().
  std::shared_ptr<const MonitorState> wait_for(uint64_t generation,
                                               std::chrono::milliseconds timeout) const;
  // Called on the collector thread after each publish (render once, cache the text).
  void on_publish(std::function<void(const std::shared_ptr<const MonitorState>&)> fn);

  const MonitorOptions& options() const { return opts_; }

  // One collection + evaluation + publish, on the calling thread (start() uses it; tests too).
  void collect_once();

 private:
  struct Kept {
    std::shared_ptr<const Snapshot> snap;
    std::vector<DropEventRow> drops;  // tracer totals when the snapshot was taken
    uint64_t tracer_epoch = 0;        // which tracer counted them
  };
  std::vector<NetnsTarget> targets(std::vector<std::string>& missing) const;
  void ensure_tracer(const std::vector<NetnsTarget>& targets);
  // Rows of `later` minus those of `k` when the same tracer counted both, else `later` as is.
  std::vector<DropEventRow> drops_since(const Kept& k,
                                        const std::vector<DropEventRow>& later) const;
  void loop();

  MonitorOptions opts_;
  // Filtered in the kernel to the targets' inodes (the map then holds only their rows);
  // restarted when that set changes (a -n namespace re-created). Unfiltered with --all-netns.
  std::unique_ptr<DropTracer> tracer_;
  std::vector<uint64_t> traced_inodes_;
  uint64_t tracer_epoch_ = 0;
  std::string tracer_note_;
  std::deque<Kept> history_;  // collector thread only
  RateTimeline timeline_;     // collector thread only
  Kept previous_;             // the last collection (collector thread only)
  uint64_t generation_ = 0;   // collector thread only

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::shared_ptr<const MonitorState> state_;
  std::function<void(const std::shared_ptr<const MonitorState>&)> on_publish_;
  bool stopping_ = false;
  std::thread thread_;
};

// Kernel drop rows of `after` minus those of `before` (cumulative totals of one tracer), by
// namespace, device, reason, location, protocol and flow. Rows that did not grow are left out.
std::vector<DropEventRow> drop_rows_delta(const std::vector<DropEventRow>& before,
                                          const std::vector<DropEventRow>& after);

// One time-line sample from a collection's per-namespace rates: each layer summed over the
// namespaces that have it.
RateSample timeline_sample(const std::vector<MonitorState::LayerRates>& rates, double unix_s);

// Which collector a snapshot note is about ("links: ..." -> "links"), "" when unknown.
std::string collector_of_note(const std::string& note);

}  // namespace pktloss
