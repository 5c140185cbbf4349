#include "cli/diagnose_session.h"

#include <cstdio>
#include <memory>
#include <optional>

#include "capture/capture_findings.h"
#include "capture/live_capture.h"
#include "capture/pcap_io.h"
#include "collect/snapshot_taker.h"
#include "probe/run_probes.h"
#include "rules/engine.h"
#include "trace/drop_tracer.h"

namespace pktloss {
namespace {

ProbePlan make_plan(const NetnsTarget& probing, const DiagnoseOptions& opts) {
  ResolvedTarget target = resolve_target(opts.target);
  ProbePlan plan;
  plan.host = target.host;
  plan.port = target.port.value_or(80);
  plan.count = opts.count;
  plan.interval_ms = opts.interval_ms;
  plan.http_path = opts.http_path;
  plan.source_netns = probing.name;
  if (opts.sizes == "none")
    std::erase(plan.kinds, ProbeKind::mtu);
  else
    plan.sizes = parse_sizes(opts.sizes);
  return plan;
}

// The eBPF tracer around the probes, in every observed namespace, for packets to/from the target.
std::unique_ptr<DropTracer> start_tracer(const std::vector<NetnsTarget>& observed,
                                         const ProbePlan& plan, std::vector<std::string>& notes) {
  auto tracer = std::make_unique<DropTracer>();
  TraceFilters filters;
  for (const auto& t : observed) filters.netns_inodes.push_back(t.inode);
  filters.host = plan.host;
  if (!tracer->start(filters)) {
    notes.push_back("eBPF drop tracer unavailable: " + tracer->unavailable_reason() +
                    " (degraded)");
    return nullptr;
  }
  return tracer;
}

// Packets of the probe traffic on every interface of the probing namespace.
std::unique_ptr<capture::LiveCapture> start_capture(const NetnsTarget& probing,
                                                    const ProbePlan& plan,
                                                    std::vector<std::string>& notes) {
  capture::LiveCaptureOptions copts;
  copts.iface = "any";
  copts.filter = "host " + plan.host;
  copts.duration_s = 0;  // until stop(): the probes decide how long
  try {
    auto cap = std::make_unique<capture::LiveCapture>(probing, copts);
    cap->start();
    return cap;
  } catch (const std::exception& e) {
    notes.push_back(std::string("packet capture unavailable: ") + e.what() + " (degraded)");
    return nullptr;
  }
}

}  // namespace

Report diagnose(const NetnsTarget& probing, const std::vector<NetnsTarget>& observed,
                const DiagnoseOptions& opts) {
  ProbePlan plan = make_plan(probing, opts);
  CollectOptions collect;
  Observations obs;
  std::vector<std::string> notes;

  Snapshot before = take_snapshot(observed, collect);
  auto tracer = opts.trace ? start_tracer(observed, plan, notes) : nullptr;
  auto cap = opts.capture ? start_capture(probing, plan, notes) : nullptr;

  ProbeProgress progress;
  if (opts.progress)
    progress = [&](const std::string& line) {
      std::fprintf(stderr, "\r\033[K  %s\n", line.c_str());
      std::fflush(stderr);
    };
  if (opts.progress)
    std::fprintf(stderr, "probing %s:%u from %s ...\n", plan.host.c_str(), plan.port,
                 probing.name.c_str());
  run_in_netns(probing, [&] { obs.probes = run_probes(plan, progress); });
  record_own_traffic(obs.probes, obs);

  if (cap) {
    auto packets = cap->stop();
    auto analysis = capture::analyse_packets(packets);
    obs.packet_findings = capture::findings_from_capture(analysis, {probing.name, "any"});
    for (const auto& n : packets.notes) notes.push_back("capture: " + n);
    obs.flows = analysis.verdicts();
    obs.capture_available = true;
    for (const auto& n : analysis.notes) notes.push_back("capture: " + n);
  }
  Snapshot after = take_snapshot(observed, collect);
  if (tracer) {
    obs.drop_events = tracer->stop();
    obs.drop_events_available = true;
    for (const auto& n : tracer->notes()) notes.push_back("trace: " + n);
  }

  Report report = evaluate(&before, after, obs, RuleConfig{});
  report.target = Target{plan.host, plan.port};
  report.notes.insert(report.notes.end(), notes.begin(), notes.end());
  return report;
}

}  // namespace pktloss
