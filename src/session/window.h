#pragma once
// The observation window every command runs: the namespaces it looks at, a snapshot before, the
// window's sources (tracer, capture, probes) around or inside it, a snapshot after, and the rules
// over both. A subcommand is its options plus one WindowPlan.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "collect/collect_options.h"
#include "model/report.h"
#include "model/snapshot.h"
#include "netns/netns.h"
#include "rules/rule_config.h"
#include "session/window_source.h"

namespace pktloss {

struct WindowPlan {
  // Snapshotted before and after the window (empty: the command looks at its sources only, e.g.
  // trace, capture, probe; the report still gets its header and window length).
  std::vector<NetnsTarget> observed;
  CollectOptions collect;
  // How long the window stays open when no active source decides it (check -i, trace -d,
  // capture -d). 0 with no active source and no until_signal: one snapshot, lifetime totals.
  double duration_s = 0;
  bool until_signal = false;  // open until SIGINT / SIGTERM (trace -d 0)
  std::vector<std::unique_ptr<WindowSource>> sources;
  // Called about once a second while the window is open, with what the sources saw so far.
  std::function<void(const Observations& so_far, double elapsed_s)> on_tick;
  // A source that cannot start ends the run with its reason (trace: the tracer is the command),
  // instead of a degraded note.
  bool sources_required = false;
  // Once the window is open (first snapshot taken, sources running): on_ready is called, and
  // "ready\n" is written to ready_fd (then closed) if >= 0, so scripts and tests send their
  // traffic into the window instead of sleeping a guessed time.
  std::function<void()> on_ready;
  int ready_fd = -1;
  RuleConfig rules;
  // report.netns when nothing is snapshotted ("all", or the traced namespaces' names).
  std::string scope;
};

// Runs the window and evaluates it. Throws std::runtime_error for a failure that leaves nothing
// to report (an active source that could not run); a source that is merely unavailable (no BTF,
// no capture privilege) is a note in the report, marked degraded.
// `last_snapshot`, when given, receives the window's last snapshot (the raw counters the
// metrics formats print beside the findings).
Report run_window(WindowPlan& plan, Snapshot* last_snapshot = nullptr);

}  // namespace pktloss
