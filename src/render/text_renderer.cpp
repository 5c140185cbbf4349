#include "render/text_renderer.h"

#include <fmt/format.h>

#include <sys/ioctl.h>
#include <unistd.h>
#include <algorithm>

#include <array>
#include <cstdlib>
#include <vector>

#include "render/path_view.h"
#include "render/text_path.h"

namespace pktloss {
namespace {

struct Palette {
  bool on;
  std::string wrap(const char* code, const std::string& s) const {
    return on ? fmt::format("\033[{}m{}\033[0m", code, s) : s;
  }
  std::string bold(const std::string& s) const { return wrap("1", s); }
  std::string red(const std::string& s) const { return wrap("31;1", s); }
  std::string yellow(const std::string& s) const { return wrap("33", s); }
  std::string green(const std::string& s) const { return wrap("32", s); }
  std::string dim(const std::string& s) const { return wrap("2", s); }
};

std::string severity_label(Severity s, const Palette& p) {
  switch (s) {
    case Severity::critical:
      return p.red("CRITICAL");
    case Severity::warning:
      return p.yellow("WARNING ");
    case Severity::info:
      return p.dim("info    ");
  }
  return "";
}

std::string status_label(LayerStatus status, const Palette& p) {
  if (status == LayerStatus::fault) return p.red("FAULT");
  if (status == LayerStatus::warning) return p.yellow("warn ");
  return p.green("ok   ");
}

// "(netns plc tcp 10.0.0.2:80)"; a finding from a saved file has no namespace.
std::string where(const Finding& f) {
  std::string s = f.netns;
  if (!f.object.empty()) s += (s.empty() ? "" : " ") + f.object;
  return s;
}

void render_verdict(const Report& r, const TextStyle& style, const Palette& p, std::string& out) {
  std::vector<const Finding*> causes, symptoms;
  for (const auto& f : r.findings)
    if (f.severity >= Severity::warning) (f.symptom ? symptoms : causes).push_back(&f);
  if (causes.empty() && symptoms.empty()) {
    if (!style.capture_file.empty())
      out += p.green("Verdict: no packet loss seen in the capture\n");
    else
      out += p.green("Verdict: no packet loss cause found") +
             (r.window_s > 0 ? fmt::format(" (window {:.1f} s)\n", r.window_s)
                             : " (lifetime counters; use -i SECONDS to watch a window)\n");
    return;
  }
  out += p.bold(fmt::format("Verdict: {} likely root cause{} of packet loss\n", causes.size(),
                            causes.size() == 1 ? "" : "s"));
  int n = 0;
  for (const auto* f : causes)
    out += fmt::format("  {}. [{}] {} ({})\n", ++n, f->id, f->summary, where(*f));
  if (symptoms.empty()) return;
  out += "  what they cause:\n";
  for (const auto* f : symptoms)
    out += fmt::format("   - [{}] {} ({})\n", f->id, f->summary, where(*f));
}

// The number each finding has in the findings list below (hidden info findings have none).
std::vector<int> display_numbers(const Report& r, const TextStyle& style) {
  std::vector<int> out(r.findings.size(), 0);
  int n = 0;
  for (size_t i = 0; i < r.findings.size(); ++i)
    if (r.findings[i].severity != Severity::info || style.verbose) out[i] = ++n;
  return out;
}

// Two (or more) namespaces side by side when the terminal is wide enough.
bool render_path_picture(const Report& r, const TextStyle& style, const Palette& p,
                         std::string& out) {
  if (style.width <= 0) return false;
  std::vector<int> numbers = display_numbers(r, style);
  TextPathStyle ts;
  ts.width = style.width;
  ts.paint = [&p](LayerStatus status, const std::string& s) {
    return status == LayerStatus::fault     ? p.red(s)
           : status == LayerStatus::warning ? p.yellow(s)
                                            : p.green(s);
  };
  ts.number = [&numbers](size_t i) { return i < numbers.size() ? numbers[i] : 0; };
  std::string pic = render_text_path(build_path_view(r), ts);
  if (pic.empty()) return false;
  out +=
      p.bold("\nPacket path (top: application, bottom: link; [n] a cause, (n) what it causes)\n");
  out += pic;
  return true;
}

void render_path(const Report& r, const TextStyle& style, const Palette& p, std::string& out) {
  if (style.capture_file.empty() && render_path_picture(r, style, p, out)) return;
  static constexpr std::array kTopDown = {Layer::application, Layer::socket,    Layer::transport,
                                          Layer::ip,          Layer::netfilter, Layer::qdisc,
                                          Layer::link};
  // A capture measures TCP and IP (ICMP) on the wire, nothing inside the host.
  static constexpr std::array kCaptured = {Layer::transport, Layer::ip};
  const bool file = !style.capture_file.empty();
  out += p.bold(file ? "\nPacket path as the capture shows it\n"
                     : "\nPacket path (bottom: wire, top: application)\n");
  for (Layer l : kTopDown) {
    if (file && std::find(kCaptured.begin(), kCaptured.end(), l) == kCaptured.end()) continue;
    auto it = r.layers.find(to_string(l));
    LayerSummary s = it == r.layers.end() ? LayerSummary{} : it->second;
    std::vector<std::string> ids;
    for (const auto& f : r.findings)
      if (f.layer == l && f.severity >= Severity::warning &&
          std::find(ids.begin(), ids.end(), f.id) == ids.end())
        ids.push_back(f.id);
    std::string idlist;
    for (const auto& id : ids) idlist += (idlist.empty() ? "" : ", ") + id;
    out += fmt::format("  {:<12} {} {:>10}  {}\n", to_string(l), status_label(s.status, p),
                       s.drops ? fmt::format("{} drops", s.drops) : std::string("-"), idlist);
    if (l != (file ? Layer::ip : Layer::link)) out += "       |\n";
  }
}

void render_evidence(const Evidence& e, std::string& out) {
  std::string line = fmt::format("      - [{}] ", e.source);
  if (!e.counter.empty()) {
    line += e.counter;
    if (e.delta)
      line += fmt::format(": {} -> {} (+{}{})", e.before.value_or(0), e.after.value_or(0), *e.delta,
                          e.reset ? ", counter reset" : "");
    else if (e.after)
      line += fmt::format(" = {} (lifetime)", *e.after);
    if (!e.text.empty()) line += "  " + e.text;
  } else {
    line += e.text;
  }
  out += line + "\n";
}

void render_findings(const Report& r, const TextStyle& style, const Palette& p, std::string& out) {
  if (r.findings.empty()) return;
  out += p.bold("\nFindings (most likely root cause first)\n");
  int n = 0;
  for (const auto& f : r.findings) {
    if (f.severity == Severity::info && !style.verbose) continue;
    out += fmt::format(
        "\n  {}. {} {} {}\n", ++n, severity_label(f.severity, p), p.bold(f.id),
        p.dim(fmt::format("{}{} confidence {:.2f}", f.netns.empty() ? "" : "netns " + f.netns + " ",
                          f.object, f.confidence)));
    out += "     " + f.summary + "\n";
    if (!f.explanation.empty()) out += "     " + f.explanation + "\n";
    if (!f.evidence.empty()) out += "     evidence:\n";
    for (const auto& e : f.evidence) render_evidence(e, out);
    if (!f.fix.empty()) out += "     fix:\n";
    for (const auto& cmd : f.fix) out += "      $ " + cmd + "\n";
  }
  size_t hidden = std::count_if(r.findings.begin(), r.findings.end(),
                                [](const Finding& f) { return f.severity == Severity::info; });
  if (hidden && !style.verbose)
    out += p.dim(fmt::format("\n  ({} informational finding{} hidden; -v shows them)\n", hidden,
                             hidden == 1 ? "" : "s"));
}

void render_probes(const Report& r, std::string& out) {
  if (r.probes.empty()) return;
  out += "\nProbes\n";
  for (const auto& pr : r.probes) {
    out += fmt::format("  {:<12} sent {:>4}  answered {:>4}  loss {:5.1f}% [{:.1f}-{:.1f}%]",
                       pr.kind, pr.sent, pr.received, pr.loss * 100, pr.loss_ci_low * 100,
                       pr.loss_ci_high * 100);
    if (pr.rtt)
      out += fmt::format("  rtt min/avg/p99/max {:.2f}/{:.2f}/{:.2f}/{:.2f} ms", pr.rtt->min_ms,
                         pr.rtt->avg_ms, pr.rtt->p99_ms, pr.rtt->max_ms);
    if (!pr.detail.empty()) out += "  " + pr.detail;
    out += "\n";
  }
}

// One line per XDP / tc-BPF program on a device: where, what, and how often it ran.
void render_bpf_programs(const Report& r, const Palette& p, std::string& out) {
  if (r.bpf_programs.empty()) return;
  bool stats = std::any_of(r.bpf_programs.begin(), r.bpf_programs.end(),
                           [](const AttachedProgram& a) { return a.stats_enabled; });
  out += p.bold("\nBPF programs on the devices") +
         (stats ? "\n" : p.dim(" (kernel.bpf_stats_enabled=0: run counts not kept)") + "\n");
  for (const auto& a : r.bpf_programs) {
    std::string line = fmt::format("  {} {} {}{} id {}", a.netns, a.dev, a.hook,
                                   a.mode.empty() ? "" : " " + a.mode, a.id);
    if (a.info_read) {
      line += fmt::format(" {} ({}, tag {})", a.name.empty() ? "(no name)" : a.name, a.type, a.tag);
      if (a.stats_enabled) line += fmt::format(" runs {}", a.run_cnt);
      if (a.run_cnt_delta) line += fmt::format(" (+{} in the window)", *a.run_cnt_delta);
    } else {
      line += " (not readable, see the notes)";
    }
    out += line + "\n";
  }
}

}  // namespace

int terminal_columns(int fd) {
  struct winsize ws {};
  if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    char* end = nullptr;
    long v = std::strtol(c, &end, 10);
    if (end != c && *end == '\0' && v > 0 && v < 10000) return static_cast<int>(v);
  }
  return 0;
}

// The namespaces by what lives in them: a process-held one shows its command ("pid:812 nginx"),
// a container's or pod's name says it already ("docker/web", "pod/shop/web-1").
static std::string netns_header(const Report& r) {
  if (r.namespaces.empty()) return r.netns;
  std::string out;
  for (const auto& v : r.namespaces) {
    if (!out.empty()) out += ",";
    out += v.name;
    if (v.netns.kind == NetnsKind::process && !v.netns.comm.empty()) out += " " + v.netns.comm;
  }
  return out;
}

std::string render_text(const Report& r, const TextStyle& style) {
  Palette p{style.color};
  std::string out;
  if (!style.capture_file.empty()) {
    out += p.bold(fmt::format("pktloss {}: capture file {}", r.version, style.capture_file));
    out += fmt::format(", {:.1f} s of packets\n", r.window_s);
  } else {
    out += p.bold(fmt::format("pktloss {} on {} (netns {})", r.version, r.host, netns_header(r)));
    out += r.window_s > 0 ? fmt::format(", window {:.1f} s\n", r.window_s)
                          : std::string(", one snapshot\n");
  }
  if (r.target) out += fmt::format("target {}:{}\n", r.target->host, r.target->port);
  render_verdict(r, style, p, out);
  render_probes(r, out);
  render_path(r, style, p, out);
  render_findings(r, style, p, out);
  render_bpf_programs(r, p, out);
  if (!r.notes.empty()) {
    out += p.bold("\nNotes\n");
    for (const auto& n : r.notes) out += "  - " + n + "\n";
  }
  return out;
}

}  // namespace pktloss
