// pktloss capture: packets on the wire, analysed per flow (live through libpcap inside a
// namespace, or a saved pcap/pcapng file), with findings drawn from them.
#include <fmt/format.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "rules/capture_rules.h"
#include "capture/flow_analyser.h"
#include "capture/live_capture.h"
#include "capture/pcap_io.h"
#include "cli/command.h"
#include "cli/targets.h"
#include "model/json.h"
#include "model/report.h"
#include "render/capture_json.h"
#include "render/text_renderer.h"
#include "rules/engine.h"
#include "util/clock.h"

namespace pktloss {
namespace {

struct CaptureOptions {
  std::string iface;
  std::string filter;
  double duration_s = 5;
  uint64_t count = 100000;
  int snaplen = 256;
  std::string write_path;
  std::string read_path;
  bool flows_all = false;
};

int run_capture(const CommonOptions& common, const CaptureOptions& opts) {
  if (opts.read_path.empty() == opts.iface.empty())
    throw std::runtime_error("capture: give either -i IFACE (live) or --read FILE.pcap");
  if (!opts.read_path.empty() && !opts.write_path.empty())
    throw std::runtime_error("capture: --write only applies to a live capture (-i)");

  Report report;
  report.version = PKTLOSS_VERSION;
  report.host = host_name();
  report.started = rfc3339_now();
  capture::CaptureAnalysis analysis;
  CaptureContext ctx;
  std::string source;
  std::vector<std::string> notes;

  if (!opts.read_path.empty()) {
    capture::FlowAnalyser analyser;
    auto r = capture::read_capture_file(opts.read_path, analyser);
    analysis = analyser.finish();
    ctx.from_file = true;  // no namespace, no live-host advice
    report.window_s = analysis.duration_s;
    source = opts.read_path;
    notes.push_back(fmt::format("read {} packet{} ({}, {}) from {}", r.packets,
                                r.packets == 1 ? "" : "s", r.format,
                                capture::link_type_name(r.linktype), opts.read_path));
    for (const auto& n : r.notes) notes.push_back(n);
    if (!r.error.empty())
      notes.push_back(
          fmt::format("capture file damaged after packet {}: {} (analysed what came "
                      "before)",
                      r.packets, r.error));
  } else {
    auto targets = resolve_targets(common, false);
    capture::LiveCaptureOptions lo;
    lo.iface = opts.iface;
    lo.filter = opts.filter;
    lo.duration_s = opts.duration_s;
    lo.max_packets = opts.count;
    lo.snaplen = opts.snaplen;
    capture::LiveCapture cap(targets.at(0), lo);
    double t0 = monotonic_seconds();
    cap.start();
    cap.wait();
    capture::CapturedPackets packets = cap.stop();
    report.window_s = monotonic_seconds() - t0;
    if (!opts.write_path.empty()) capture::write_pcap(packets, opts.write_path);
    analysis = capture::analyse_packets(packets);
    ctx.netns = targets[0].name;
    ctx.iface = opts.iface;
    report.netns = targets[0].name;
    source = opts.iface + "@" + targets[0].name;
    notes.push_back(fmt::format(
        "captured {} packets on {} in namespace {} for {:.1f} s{} (snaplen {}, kernel dropped {})",
        packets.records.size(), opts.iface, targets[0].name, report.window_s,
        opts.filter.empty() ? "" : " with filter '" + opts.filter + "'", opts.snaplen,
        packets.kernel_dropped));
    for (const auto& n : packets.notes) notes.push_back(n);
    if (!opts.write_path.empty()) notes.push_back("packets written to " + opts.write_path);
  }

  report.flows = analysis.verdicts();
  report.findings = findings_from_capture(analysis, ctx);
  rank_findings(report.findings);
  for (const auto& f : report.findings) {
    auto& l = report.layers[to_string(f.layer)];
    l.drops += f.volume;
    if (f.severity == Severity::critical)
      l.status = "fault";
    else if (f.severity == Severity::warning && l.status != "fault")
      l.status = "warning";
  }
  report.notes.push_back("capture: " + analysis.summary);
  for (auto& n : notes) report.notes.push_back(std::move(n));
  for (const auto& n : analysis.notes) report.notes.push_back(n);

  int code = kExitClean;
  for (const auto& f : report.findings)
    if (f.severity >= Severity::warning) code = kExitFindings;

  std::string out;
  if (common.json) {
    // The report document (what render_json prints) with the capture section spliced in: that
    // section is written directly, nlohmann::json costs more than the analysis on big captures.
    nlohmann::json doc = report;
    out = doc.dump(2);
    out.resize(out.rfind('}'));
    out += ",\n  \"capture\": ";
    append_capture_json(out, analysis, source);
    out += "\n}\n";
  } else {
    out = fmt::format("Capture: {}\n", analysis.summary);
    size_t shown = 0, limit = opts.flows_all || common.verbose ? SIZE_MAX : 20;
    for (const auto& f : analysis.flows) {
      if (shown++ == limit) {
        out += fmt::format("  ... {} more flows (-v shows all)\n", analysis.flows.size() - limit);
        break;
      }
      out +=
          fmt::format("  [{}] {}\n      {}\n", f.verdict.kind, f.verdict.flow, f.verdict.verdict);
    }
    out += "\n";
    TextStyle style;
    style.color = !common.no_color && isatty(STDOUT_FILENO);
    style.verbose = common.verbose > 0;
    if (!opts.read_path.empty()) style.capture_file = opts.read_path;
    out += render_text(report, style);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return code;
}

}  // namespace

void register_capture_command(CLI::App& app, CommonOptions& common, CommandRunner& run) {
  auto* sub =
      app.add_subcommand("capture",
                         "capture packets (or read a pcap) and judge every flow: handshake, "
                         "retransmissions, segments never ACKed, sizes lost, ICMP errors");
  add_common_options(*sub, common);
  auto opts = std::make_shared<CaptureOptions>();
  auto* iface = sub->add_option("-i,--interface", opts->iface, "interface to capture on");
  sub->add_option("--filter", opts->filter, "BPF filter expression, as for tcpdump");
  sub->add_option("-d,--duration", opts->duration_s, "seconds to capture")
      ->check(CLI::Range(0.1, 3600.0));
  sub->add_option("--count", opts->count, "stop after this many packets")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10'000'000}));
  sub->add_option("--snaplen", opts->snaplen, "bytes kept per packet (headers suffice)")
      ->check(CLI::Range(64, 262144));
  sub->add_option("--write", opts->write_path, "also save the packets to this pcap file");
  auto* read = sub->add_option("--read", opts->read_path, "analyse a saved pcap / pcapng file");
  read->excludes(iface);
  sub->add_flag("--all-flows", opts->flows_all, "list every flow in the text view");
  sub->callback(
      [&run, &common, opts] { run = [&common, opts] { return run_capture(common, *opts); }; });
}

}  // namespace pktloss
