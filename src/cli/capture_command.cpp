// pktloss capture: packets on the wire, analysed per flow (live through libpcap inside a
// namespace, or a saved pcap/pcapng file), with findings drawn from them.
#include <fmt/format.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "capture/capture_findings.h"
#include "capture/flow_analyser.h"
#include "capture/live_capture.h"
#include "capture/pcap_io.h"
#include "cli/command.h"
#include "cli/targets.h"
#include "model/json.h"
#include "model/report.h"
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

nlohmann::json dir_json(const capture::TcpDirStats& d) {
  return {{"packets", d.packets},
          {"syns", d.syns},
          {"data_segments", d.data_segments},
          {"acked_segments", d.acked_segments},
          {"unacked_segments", d.unacked_segments},
          {"in_flight_segments", d.in_flight_segments},
          {"retransmits", d.retransmits},
          {"reordered", d.reordered},
          {"keepalives", d.keepalives},
          {"acked_not_captured", d.acked_unseen},
          {"dup_acks", d.dup_acks},
          {"zero_windows", d.zero_windows},
          {"resets", d.resets},
          {"max_delivered_size", d.max_delivered_size},
          {"min_lost_size", d.min_lost_size},
          {"max_sent_size", d.max_sent_size},
          {"mss", d.mss}};
}

nlohmann::json capture_json(const capture::CaptureAnalysis& a, const std::string& source) {
  nlohmann::json skipped = nlohmann::json::object();
  for (int i = 1; i < capture::kSkipReasonCount; ++i)
    skipped[capture::to_string(static_cast<capture::SkipReason>(i))] = a.stats.skipped[i];
  nlohmann::json flows = nlohmann::json::array();
  for (const auto& f : a.flows) {
    nlohmann::json j = {{"flow", f.verdict.flow},
                        {"kind", f.verdict.kind},
                        {"verdict", f.verdict.verdict},
                        {"proto", f.proto},
                        {"client", f.client},
                        {"server", f.server},
                        {"duration_s", (f.last_ts_ns - f.first_ts_ns) / 1e9}};
    if (f.proto == "tcp") {
      // "completed" only when the whole handshake was captured, as the text says.
      j["handshake"] = {{"state", f.handshake},
                        {"syn", f.syn_seen},
                        {"syn_ack", f.synack_seen},
                        {"completed", f.handshake == "completed"},
                        {"reset_to_syn", f.reset_to_syn}};
      j["one_sided"] = f.one_sided;
      j["control_only"] = f.control_only;
      j["rtt_ms"] = f.rtt_ns / 1e6;
      j["client_to_server"] = dir_json(f.out);
      j["server_to_client"] = dir_json(f.back);
    } else {
      j["datagrams_client_to_server"] = f.datagrams_out;
      j["datagrams_server_to_client"] = f.datagrams_back;
    }
    j["icmp"] = {{"frag_needed", f.icmp.frag_needed},
                 {"frag_needed_mtu", f.icmp.frag_needed_mtu},
                 {"port_unreachable", f.icmp.port_unreachable},
                 {"host_unreachable", f.icmp.host_unreachable},
                 {"time_exceeded", f.icmp.time_exceeded},
                 {"reporter", f.icmp.reporter}};
    if (!f.tunnel.empty()) j["tunnel"] = f.tunnel;
    if (f.generation) j["connection_on_tuple"] = f.generation + 1;
    if (f.duplicates) j["duplicate_frames"] = f.duplicates;
    flows.push_back(std::move(j));
  }
  return {{"source", source},
          {"summary", a.summary},
          {"kind", a.summary_kind},
          {"duration_s", a.duration_s},
          {"packets",
           {{"frames", a.stats.frames},
            {"analysed", a.stats.analysed},
            {"skipped", skipped},
            {"untracked", a.stats.untracked},
            {"icmp_unmatched", a.stats.icmp_unmatched},
            {"icmp_other", a.stats.icmp_other},
            {"duplicate_frames", a.stats.duplicate_frames},
            {"tunnelled", a.stats.tunnelled}}},
          {"flows", flows}};
}

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
  capture::CaptureContext ctx;
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
  report.findings = capture::findings_from_capture(analysis, ctx);
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
    nlohmann::json doc = report;  // what render_json prints, plus the capture details
    doc["capture"] = capture_json(analysis, source);
    out = doc.dump(2) + "\n";
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
