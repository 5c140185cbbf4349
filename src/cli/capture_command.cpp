// pktloss capture: packets on the wire, analysed per flow (live through libpcap inside a
// namespace, or a saved pcap/pcapng file), with findings drawn from them.
#include <fmt/format.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "capture/pcap_io.h"
#include "cli/command.h"
#include "cli/targets.h"
#include "cli/validators.h"
#include "render/svg_seq.h"
#include "session/capture_file_source.h"
#include "session/capture_source.h"
#include "session/window.h"

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
  std::string html_file;
  std::string svg_dir;
};

// One SVG file per flow that carries a time-sequence trace: DIR/flow-N.svg, N its rank in the
// report. Returns how many were written.
size_t write_seq_svgs(const CaptureAnalysis& a, const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create " + dir + ": " + std::strerror(errno));
  size_t n = 0;
  for (size_t i = 0; i < a.flows.size(); ++i) {
    std::string svg = render_seq_svg_file(a.flows[i]);
    if (svg.empty()) continue;
    std::string path = fmt::format("{}/flow-{}.svg", dir, i + 1);
    std::ofstream out(path);
    out << svg;
    if (!out) throw std::runtime_error("cannot write " + path);
    ++n;
  }
  return n;
}

int run_capture(const CommonOptions& common, const CaptureOptions& opts) {
  if (opts.read_path.empty() == opts.iface.empty())
    throw std::runtime_error("capture: give either -i IFACE (live) or --read FILE.pcap");
  if (!opts.read_path.empty() && !opts.write_path.empty())
    throw std::runtime_error("capture: --write only applies to a live capture (-i)");

  // The capture is the window's one source: nothing on the host is snapshotted.
  WindowPlan plan;
  plan.ready_fd = common.ready_fd;
  plan.sources_required = true;
  Report report;
  if (!opts.read_path.empty()) {
    auto file = std::make_unique<CaptureFileSource>(opts.read_path);
    const CaptureFileSource* source = file.get();
    plan.sources.push_back(std::move(file));
    plan.scope = opts.read_path;
    report = run_window(plan);
    report.window_s = source->analysis().duration_s;  // the span the file covers
    report.capture = source->analysis();
    report.capture_source = opts.read_path;
  } else {
    auto target = resolve_targets(common, false).at(0);
    capture::LiveCaptureOptions lo;
    lo.iface = opts.iface;
    lo.filter = opts.filter;
    lo.duration_s = opts.duration_s;
    lo.max_packets = opts.count;
    lo.snaplen = opts.snaplen;
    auto live = std::make_unique<CaptureSource>(target, lo, CaptureContext{target.name, opts.iface},
                                                WindowSource::Role::active);
    const CaptureSource* source = live.get();
    plan.sources.push_back(std::move(live));
    plan.scope = target.name;
    report = run_window(plan);
    const auto& packets = source->packets();
    // Written even when a signal ended the capture early: what was seen is kept, complete.
    if (!opts.write_path.empty()) capture::write_pcap(packets, opts.write_path);
    report.notes.insert(
        report.notes.begin(),
        fmt::format("captured {} packets on {} in namespace {} for {:.1f} s{} (snaplen {}, "
                    "kernel dropped {})",
                    packets.records.size(), opts.iface, target.name, report.window_s,
                    opts.filter.empty() ? "" : " with filter '" + opts.filter + "'", opts.snaplen,
                    packets.kernel_dropped));
    if (!opts.write_path.empty()) report.notes.push_back("packets written to " + opts.write_path);
    report.capture = source->analysis();
    report.capture_source = opts.iface + "@" + target.name;
  }
  if (!opts.svg_dir.empty() && report.capture)
    report.notes.push_back(fmt::format("{} time-sequence graph(s) written to {}",
                                       write_seq_svgs(*report.capture, opts.svg_dir),
                                       opts.svg_dir));
  OutputSpec spec = output_spec(common, TextView::capture);
  spec.flows = opts.flows_all;
  spec.html_file = opts.html_file;
  return emit(report, spec);
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
      ->check(real_range(0.1, 3600.0));
  sub->add_option("--count", opts->count, "stop after this many packets")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10'000'000}));
  sub->add_option("--snaplen", opts->snaplen, "bytes kept per packet (headers suffice)")
      ->check(CLI::Range(64, 262144));
  sub->add_option("--write", opts->write_path, "also save the packets to this pcap file");
  auto* read = sub->add_option("--read", opts->read_path, "analyse a saved pcap / pcapng file");
  read->excludes(iface);
  sub->add_flag("--all-flows", opts->flows_all, "list every flow in the text view");
  sub->add_option("--html", opts->html_file,
                  "also write an HTML report to FILE, with the time-sequence graph of each flow "
                  "that lost data");
  sub->add_option("--svg-dir", opts->svg_dir,
                  "also write each of those time-sequence graphs to DIR/flow-N.svg");
  sub->callback(
      [&run, &common, opts] { run = [&common, opts] { return run_capture(common, *opts); }; });
}

}  // namespace pktloss
