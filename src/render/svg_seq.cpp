#include "render/svg_seq.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "render/html_renderer.h"

namespace pktloss {
namespace {

// Geometry: 12 px monospace text is 7.2 px a character (render tests rely on it).
constexpr double kW = 760, kLeft = 64, kRight = 16, kCharPx = 7.2;
constexpr double kPlotH = 250, kSizeH = 80;

using Kind = SeqEvent::Kind;
using Fate = SeqEvent::Fate;

std::string text(double x, double y, const std::string& cls, const std::string& s,
                 const char* anchor = "start") {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"{}\" text-anchor=\"{}\">{}</text>", x,
                     y, cls, anchor, html_escape(s));
}

std::string fit(const std::string& s, double px) {
  size_t n = static_cast<size_t>(px / kCharPx);
  if (s.size() <= n) return s;
  return s.substr(0, n > 3 ? n - 3 : 0) + "...";
}

// Tick positions at 1, 2 or 5 times a power of ten, about `want` of them from lo to hi.
std::vector<double> ticks(double lo, double hi, int want) {
  double range = hi - lo;
  if (range <= 0) return {lo};
  double raw = range / want, p = std::pow(10, std::floor(std::log10(raw)));
  double step = raw / p < 1.5 ? p : raw / p < 3.5 ? 2 * p : raw / p < 7.5 ? 5 * p : 10 * p;
  std::vector<double> out;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

// The smallest 1, 2 or 5 times a power of ten at or above v (v > 0): the top of an axis from 0.
double nice_ceil(double v) {
  double p = std::pow(10, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

std::string bytes_label(double v) {
  if (std::abs(v) >= 1e6) return fmt::format("{:g}M", v / 1e6);
  if (std::abs(v) >= 1e4) return fmt::format("{:g}k", v / 1e3);
  return fmt::format("{:g}", v);
}

std::string time_label(double s, bool ms) {
  return ms ? fmt::format("{:g} ms", s * 1e3) : fmt::format("{:g} s", s);
}

// A sequence number relative to the direction's start, which a mid-flow oddity can put before it.
double rel(uint32_t v) {
  return static_cast<double>(static_cast<int32_t>(v));
}

const char* fate_class(Fate f) {
  switch (f) {
    case Fate::delivered:
      return "delivered";
    case Fate::lost:
      return "lost";
    case Fate::unknown:
      break;
  }
  return "unknown";
}

}  // namespace

const char* seq_svg_css() {
  return "svg.seq{--sq-ack:#2e7d32;--sq-sack:#3465a4}"
         "@media (prefers-color-scheme:dark){svg.seq{--sq-ack:#7bd389;--sq-sack:#8ab4f8}}"
         "@media print{svg.seq{--sq-ack:#1b5e20;--sq-sack:#1a3d7a}}"
         "svg.seq text{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;"
         "font-size:12px;fill:var(--fg)}"
         "svg.seq text.head{font-weight:bold;font-size:13px}"
         "svg.seq text.muted{fill:var(--muted)}"
         "svg.seq rect.plot{fill:none;stroke:var(--line)}"
         "svg.seq line.grid{stroke:var(--line);stroke-opacity:.35}"
         "svg.seq path.seg{fill:none;stroke:var(--fg);stroke-width:1.2}"
         "svg.seq path.seg.retx{stroke:var(--crit);stroke-width:2}"
         "svg.seq path.seg.lost{stroke-dasharray:3 2}"
         "svg.seq path.ack{fill:none;stroke:var(--sq-ack);stroke-width:1.5}"
         "svg.seq line.sack{stroke:var(--sq-sack);stroke-width:4;stroke-opacity:.6}"
         "svg.seq circle.sz{fill:var(--fg)}svg.seq circle.sz.lost{fill:var(--crit)}"
         "svg.seq circle.sz.retx{fill:none;stroke:var(--crit)}"
         "svg.seq line.threshold{stroke:var(--wrn);stroke-width:1.5;stroke-dasharray:6 3}"
         "svg.seq .sw-seg{stroke:var(--fg);stroke-width:2}"
         "svg.seq .sw-retx{stroke:var(--crit);stroke-width:2}"
         "svg.seq .sw-lost{stroke:var(--fg);stroke-width:2;stroke-dasharray:3 2}"
         "svg.seq .sw-ack{stroke:var(--sq-ack);stroke-width:2}"
         "svg.seq .sw-sack{stroke:var(--sq-sack);stroke-width:4;stroke-opacity:.6}"
         "svg.seq .sw-threshold{stroke:var(--wrn);stroke-width:2;stroke-dasharray:6 3}";
}

std::string render_seq_svg_file(const FlowReport& flow) {
  std::string svg = render_seq_svg(flow);
  if (svg.empty()) return svg;
  // The page's colour variables, scoped to the graph, then its own rules.
  std::string style = fmt::format(
      "<style>svg.seq{{--bg:#fff;--fg:#1d1d1d;--muted:#666;--line:#8a8a8a;--crit:#b00020;"
      "--wrn:#9a5b00;background:var(--bg)}}@media (prefers-color-scheme:dark){{svg.seq{{"
      "--bg:#161616;--fg:#e4e4e4;--muted:#a0a0a0;--line:#777;--crit:#ff6b7a;--wrn:#f0b350}}}}"
      "{}</style>",
      seq_svg_css());
  size_t at = svg.find('>');
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg.substr(0, at + 1) + style +
         svg.substr(at + 1);
}

std::string render_seq_svg(const FlowReport& flow) {
  if (!flow.seq_trace) return "";
  const SeqTrace& tr = *flow.seq_trace;
  const TcpDirStats& st = tr.direction == "server->client" ? flow.back : flow.out;
  const double plot_w = kW - kLeft - kRight;

  // Extents: time from the first event, sequence over every byte and ACK drawn.
  uint64_t t0 = 0, t1 = 0;
  double s_lo = 0, s_hi = 1, z_hi = 1;
  bool any = false, has_sack = false, has_retx = false, has_lost = false, has_ack = false;
  size_t segments = 0;
  for (const auto& e : tr.events) {
    if (!any || e.ts_ns < t0) t0 = e.ts_ns;
    t1 = std::max(t1, e.ts_ns);
    any = true;
    s_lo = std::min(s_lo, rel(e.seq));
    s_hi = std::max(s_hi, rel(e.end));
    if (e.kind == Kind::data || e.kind == Kind::retransmit) {
      ++segments;
      z_hi = std::max(z_hi, static_cast<double>(e.size));
      has_retx |= e.kind == Kind::retransmit;
      has_lost |= e.fate == Fate::lost;
    }
    has_sack |= e.kind == Kind::sack;
    has_ack |= e.kind == Kind::ack;
  }
  const bool threshold = tr.max_delivered_size > 0 && tr.min_lost_size > tr.max_delivered_size;
  if (threshold) z_hi = std::max(z_hi, static_cast<double>(tr.min_lost_size));
  const double span_s = t1 > t0 ? (t1 - t0) / 1e9 : 1e-3;
  const bool ms = span_s < 1;
  auto tick_s = ticks(0, span_s, 6);
  auto tick_b = ticks(s_lo, s_hi, 5);
  s_hi = std::max(s_hi, tick_b.back());
  s_lo = std::min(s_lo, tick_b.front());
  const double z_top = nice_ceil(z_hi * 1.05);

  // Rows from the top: title, subtitle, optional note, the sequence plot, its time labels, the
  // threshold label, the size plot, its time labels, then the legend.
  double y = 18;
  std::string o, body;
  body += text(kLeft - 56, y, "head", fit(flow.verdict.flow, kW - 12));
  y += 18;
  std::string sub =
      fmt::format("{}: {} segment{}, {} retransmission{}, {} never acknowledged", tr.direction,
                  st.data_segments, st.data_segments == 1 ? "" : "s", st.retransmits,
                  st.retransmits == 1 ? "" : "s", st.unacked_segments);
  body += text(kLeft - 56, y, "muted", fit(sub, kW - 12));
  if (tr.omitted) {
    y += 16;
    body += text(kLeft - 56, y, "muted capped",
                 fit(fmt::format("capped: {} of {} events drawn (the first, those around each "
                                 "retransmission and the last)",
                                 tr.events.size(), tr.events.size() + tr.omitted),
                     kW - 12));
  }
  y += 22;
  body += text(kLeft - 56, y, "axis-label", "sequence (bytes, relative)");
  y += 10;
  const double top = y, bottom = top + kPlotH;
  auto X = [&](uint64_t ts) { return kLeft + (ts - t0) / 1e9 / span_s * plot_w; };
  auto Y = [&](double s) { return bottom - (s - s_lo) / (s_hi - s_lo) * kPlotH; };

  // Axes and grid.
  body += "<g class=\"axis x\">";
  for (double t : tick_s) {
    double x = kLeft + t / span_s * plot_w;
    body += fmt::format(
        "<line class=\"grid\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" "
        "y2=\"{2:.1f}\"/>",
        x, top, bottom);
    body += text(x, bottom + 18, "tick", time_label(t, ms), "middle");
  }
  body += "</g><g class=\"axis y\">";
  for (double b : tick_b) {
    double yy = Y(b);
    body += fmt::format(
        "<line class=\"grid\" x1=\"{0:.1f}\" y1=\"{2:.1f}\" x2=\"{1:.1f}\" "
        "y2=\"{2:.1f}\"/>",
        kLeft, kLeft + plot_w, yy);
    body += text(kLeft - 6, yy + 4, "tick", bytes_label(b), "end");
  }
  body += "</g>";
  body += fmt::format("<rect class=\"plot\" x=\"{}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\"/>",
                      kLeft, top, plot_w, kPlotH);

  // SACK blocks under the segments, then the ACK step line, then the segments on top.
  body += "<g class=\"sacks\">";
  for (const auto& e : tr.events)
    if (e.kind == Kind::sack)
      body += fmt::format(
          "<line class=\"sack\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" "
          "y2=\"{2:.1f}\"/>",
          X(e.ts_ns) + 2, Y(rel(e.seq)), Y(rel(e.end)));
  body += "</g>";
  if (has_ack) {
    std::string d;
    for (const auto& e : tr.events) {
      if (e.kind != Kind::ack) continue;
      double x = X(e.ts_ns), yy = Y(rel(e.seq));
      d += d.empty() ? fmt::format("M{:.1f} {:.1f}", x, yy) : fmt::format("H{:.1f}V{:.1f}", x, yy);
    }
    d += fmt::format("H{:.1f}", kLeft + plot_w);
    body += fmt::format("<path class=\"ack\" d=\"{}\"/>", d);
  }
  body += "<g class=\"segments\">";
  for (const auto& e : tr.events) {
    if (e.kind != Kind::data && e.kind != Kind::retransmit) continue;
    double x = X(e.ts_ns), y0 = Y(rel(e.seq)), y1 = Y(rel(e.end));
    if (y0 - y1 < 2) y1 = y0 - 2;  // a short segment stays visible
    body += fmt::format(
        "<path class=\"seg {}{}\" data-seq=\"{}\" data-size=\"{}\" d=\"M{:.1f} {:.1f}V{:.1f}"
        "M{:.1f} {:.1f}h4\"/>",
        e.kind == Kind::retransmit ? "retx " : "", fate_class(e.fate), rel(e.seq), e.size, x, y0,
        y1, x - 2, y1);
  }
  body += "</g>";

  // The size panel: every segment's IP size over the same time axis.
  y = bottom + 34;
  body += text(kLeft - 56, y, "axis-label", "IP packet size (bytes)");
  if (threshold)
    body += text(kLeft + plot_w, y, "threshold-label",
                 fit(fmt::format("threshold: {} B delivered, {} B and above never acknowledged",
                                 tr.max_delivered_size, tr.min_lost_size),
                     plot_w - 25 * kCharPx),
                 "end");
  y += 10;
  const double ztop = y, zbottom = ztop + kSizeH;
  auto Z = [&](double v) { return zbottom - v / z_top * kSizeH; };
  body += "<g class=\"axis z\">";
  for (double v : {0.0, z_top}) {
    body += fmt::format(
        "<line class=\"grid\" x1=\"{0:.1f}\" y1=\"{2:.1f}\" x2=\"{1:.1f}\" "
        "y2=\"{2:.1f}\"/>",
        kLeft, kLeft + plot_w, Z(v));
    body += text(kLeft - 6, Z(v) + 4, "tick", bytes_label(v), "end");
  }
  for (double t : tick_s)
    body += text(kLeft + t / span_s * plot_w, zbottom + 18, "tick", time_label(t, ms), "middle");
  body += "</g>";
  body += fmt::format("<rect class=\"plot\" x=\"{}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\"/>",
                      kLeft, ztop, plot_w, kSizeH);
  if (threshold) {
    double ty = Z(tr.max_delivered_size);
    body += fmt::format(
        "<line class=\"threshold\" data-size=\"{}\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" "
        "y2=\"{:.1f}\"/>",
        tr.max_delivered_size, kLeft, ty, kLeft + plot_w, ty);
  }
  body += "<g class=\"sizes\">";
  for (const auto& e : tr.events)
    if (e.kind == Kind::data || e.kind == Kind::retransmit)
      body += fmt::format("<circle class=\"sz {}{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2\"/>",
                          e.kind == Kind::retransmit ? "retx " : "", fate_class(e.fate), X(e.ts_ns),
                          Z(e.size));
  body += "</g>";

  // Legend: only what the graph shows, laid out left to right, wrapping.
  struct Item {
    const char* sw;
    const char* label;
  };
  std::vector<Item> items{{"sw-seg", "segment sent"}};
  if (has_retx) items.push_back({"sw-retx", "retransmission"});
  if (has_lost) items.push_back({"sw-lost", "never acknowledged"});
  if (has_ack) items.push_back({"sw-ack", "ACK"});
  if (has_sack) items.push_back({"sw-sack", "SACK block"});
  if (threshold) items.push_back({"sw-threshold", "size threshold"});
  y = zbottom + 40;
  double x = kLeft;
  body += "<g class=\"legend\">";
  for (const auto& it : items) {
    double w = 22 + std::string(it.label).size() * kCharPx + 18;
    if (x + w > kW - kRight) {
      x = kLeft;
      y += 18;
    }
    body += fmt::format(
        "<line class=\"{}\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" "
        "y2=\"{:.1f}\"/>",
        it.sw, x, y - 4, x + 16, y - 4);
    body += text(x + 22, y, "legend-label", it.label);
    x += w;
  }
  body += "</g>";
  const double height = y + 10;

  o += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"seq\" role=\"img\" width=\"{}\" "
      "height=\"{:.0f}\" viewBox=\"0 0 {} {:.0f}\" data-flow=\"{}\" data-segments=\"{}\">",
      kW, height, kW, height, html_escape(flow.verdict.flow), segments);
  o += fmt::format("<title>time-sequence graph of {} ({})</title>", html_escape(flow.verdict.flow),
                   tr.direction);
  return o + body + "</svg>\n";
}

}  // namespace pktloss
