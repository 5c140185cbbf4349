#include "session/window.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <thread>

#include "rules/engine.h"
#include "session/snapshot_taker.h"
#include "session/stop_request.h"
#include "util/clock.h"

namespace pktloss {
namespace {

void announce_ready(const WindowPlan& plan) {
  if (plan.on_ready) plan.on_ready();
  if (plan.ready_fd >= 0) {
    // A reader that went away must not kill us with SIGPIPE or fail the run: best effort.
    static const char kReady[] = "ready\n";
    ssize_t n = ::write(plan.ready_fd, kReady, sizeof kReady - 1);
    (void)n;
    ::close(plan.ready_fd);
  }
}

bool has_active(const WindowPlan& plan) {
  for (const auto& s : plan.sources)
    if (s->role() == WindowSource::Role::active) return true;
  return false;
}

// A signal may end the window early when every active source can stop short (a capture); probes
// cannot, so a diagnose keeps the default (Ctrl-C ends the process).
bool interruptible(const WindowPlan& plan) {
  for (const auto& s : plan.sources)
    if (s->role() == WindowSource::Role::active && !s->interruptible()) return false;
  return true;
}

// Keeps the window open until every active source finished, the duration passed, or a signal
// came; ticks the live view about once a second. Returns the signal that ended it, or 0.
int hold_window(WindowPlan& plan, const std::vector<WindowSource*>& active, double t0) {
  double next_tick = t0 + 1.0;
  auto all_done = [&] {
    for (auto* s : active)
      if (!s->finished()) return false;
    return true;
  };
  for (;;) {
    if (int sig = StopRequest::signal()) return sig;
    double now = monotonic_seconds();
    if (!active.empty()) {
      if (all_done()) return 0;
    } else if (!plan.until_signal && now - t0 >= plan.duration_s) {
      return 0;
    }
    if (plan.on_tick && now >= next_tick) {
      Observations so_far;
      for (auto& s : plan.sources) s->peek(so_far);
      plan.on_tick(so_far, now - t0);
      next_tick = now + 1.0;
    }
    double left = plan.until_signal || !active.empty() ? 0.05 : plan.duration_s - (now - t0);
    std::this_thread::sleep_for(std::chrono::duration<double>(std::clamp(left, 0.0, 0.05)));
  }
}

// The first snapshot could enter none of the namespaces asked for (no CAP_SYS_ADMIN, or gone):
// there is nothing to report on, so the run is an error rather than an empty, clean report.
void require_some_namespace(const WindowPlan& plan, const Snapshot& first) {
  if (plan.observed.empty()) return;
  for (const auto& ns : first.namespaces)
    if (ns.entered) return;
  const auto& ns = first.namespaces.front();
  throw std::runtime_error(ns.notes.empty() ? "cannot enter namespace " + ns.name
                                            : ns.notes.front());
}

}  // namespace

Report run_window(WindowPlan& plan, Snapshot* last_snapshot) {
  const bool windowed = plan.duration_s > 0 || plan.until_signal || has_active(plan);
  if (!windowed) {
    // One snapshot: lifetime totals only; no source has a window to observe.
    announce_ready(plan);
    Snapshot only = take_snapshot(plan.observed, plan.collect);
    require_some_namespace(plan, only);
    Report r = evaluate(nullptr, only, Observations{}, plan.rules);
    if (plan.observed.empty()) r.netns = plan.scope;
    r.notes.insert(r.notes.begin(), plan.notes.begin(), plan.notes.end());
    if (last_snapshot) *last_snapshot = std::move(only);
    return r;
  }
  std::optional<StopRequest> stop_request;
  if (interruptible(plan) || plan.until_signal) stop_request.emplace();

  std::vector<std::string> notes = plan.notes;
  std::vector<WindowSource*> running_passive, running_active;
  auto start = [&](WindowSource& s, std::vector<WindowSource*>& running) {
    std::string note;
    if (s.start(note))
      running.push_back(&s);
    else if (plan.sources_required)
      throw std::runtime_error(note);
    else
      notes.push_back(note + " (degraded)");
  };
  for (auto& s : plan.sources)
    if (s->role() == WindowSource::Role::passive) start(*s, running_passive);

  Snapshot before = take_snapshot(plan.observed, plan.collect);
  require_some_namespace(plan, before);
  double t0 = monotonic_seconds();
  for (auto& s : plan.sources)
    if (s->role() == WindowSource::Role::active) start(*s, running_active);
  // Open means every source is running: traffic a script sends now is seen by a capture that is
  // the command (it was announced before the capture opened its socket, and missed it).
  announce_ready(plan);

  int sig = hold_window(plan, running_active, t0);

  Observations obs;
  for (auto* s : running_active) s->stop(obs, notes);
  Snapshot after = take_snapshot(plan.observed, plan.collect);
  for (auto* s : running_passive) s->stop(obs, notes);

  Report r = evaluate(&before, after, obs, plan.rules);
  if (plan.observed.empty()) r.netns = plan.scope;
  r.notes.insert(r.notes.end(), notes.begin(), notes.end());
  if (sig) {
    r.interrupted = true;
    r.notes.push_back(std::string("interrupted by ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                      " after " + std::to_string(static_cast<int>(r.window_s)) +
                      " s: the report covers what was seen until then");
  }
  if (last_snapshot) *last_snapshot = std::move(after);
  return r;
}

}  // namespace pktloss
