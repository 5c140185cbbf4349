#include "render/svg_timeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "render/html_renderer.h"

namespace pktloss {
namespace {

constexpr double kW = 760, kLeft = 100, kRight = 110, kLaneH = 34, kTop = 8;

std::string text(double x, double y, const std::string& cls, const std::string& s,
                 const char* anchor = "start") {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"{}\" text-anchor=\"{}\">{}</text>", x,
                     y, cls, anchor, html_escape(s));
}

std::string rate_label(double v) {
  return v >= 100 ? fmt::format("{:.0f}/s", v) : fmt::format("{:.1f}/s", v);
}

std::string ago_label(double s) {
  if (s < 1) return "now";
  if (s >= 120) return fmt::format("-{:.0f} min", s / 60);
  return fmt::format("-{:.0f} s", s);
}

}  // namespace

const char* timeline_svg_css() {
  return "svg.timeline text{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;"
         "font-size:12px;fill:var(--fg)}"
         "svg.timeline text.peak{fill:var(--muted)}svg.timeline text.peak.hot{fill:var(--crit)}"
         "svg.timeline rect.lane{fill:none;stroke:var(--line);stroke-opacity:.5}"
         "svg.timeline path.rate{fill:var(--fault);stroke:var(--crit);stroke-width:1.2}"
         "svg.timeline path.rate.none{fill:none;stroke:var(--line)}"
         "svg.timeline text.unknown{fill:var(--muted)}";
}

std::string render_timeline_svg(const std::vector<RateSample>& samples) {
  const double plot_w = kW - kLeft - kRight;
  const size_t n = samples.size();
  const double t_end = n ? samples.back().unix_s : 0;
  const double t_start = n ? samples.front().unix_s : 0;
  const double span = std::max(t_end - t_start, 1.0);
  auto X = [&](double t) { return kLeft + (t - t_start) / span * plot_w; };
  std::string body;
  // Link at the bottom, application at the top: the path picture's order.
  size_t row = 0;
  for (size_t k = kLayerCount; k-- > 0;) {
    const double top = kTop + row * kLaneH, bottom = top + kLaneH - 6;
    ++row;
    const char* name = to_string(kAllLayers[k]);
    bool known = false;
    double peak = 0;
    for (const auto& s : samples) {
      known |= s.known[k];
      peak = std::max(peak, s.per_s[k]);
    }
    body += fmt::format("<g class=\"lane\" data-layer=\"{}\">", name);
    body +=
        fmt::format("<rect class=\"lane\" x=\"{}\" y=\"{:.1f}\" width=\"{}\" height=\"{:.1f}\"/>",
                    kLeft, top, plot_w, bottom - top);
    body += text(kLeft - 8, (top + bottom) / 2 + 4, "layer", name, "end");
    if (!known || n == 0) {
      body += text(kLeft + 8, (top + bottom) / 2 + 4, "unknown",
                   n == 0 ? "no rates yet (from the second collection)" : "no counters");
      body += "</g>";
      continue;
    }
    const double h = bottom - top - 2;
    std::string d = fmt::format("M{:.1f} {:.1f}", X(samples.front().unix_s), bottom);
    for (const auto& s : samples) {
      double y = peak > 0 ? bottom - s.per_s[k] / peak * h : bottom;
      d += fmt::format("L{:.1f} {:.1f}", X(s.unix_s), y);
    }
    d += fmt::format("L{:.1f} {:.1f}Z", X(samples.back().unix_s), bottom);
    body += fmt::format("<path class=\"rate{}\" data-points=\"{}\" d=\"{}\"/>",
                        peak > 0 ? "" : " none", n, d);
    body += text(kLeft + plot_w + 8, (top + bottom) / 2 + 4, peak > 0 ? "peak hot" : "peak",
                 "max " + rate_label(peak));
    body += "</g>";
  }
  const double axis_y = kTop + row * kLaneH + 10;
  body += "<g class=\"axis\">";
  body += text(kLeft, axis_y, "tick", ago_label(t_end - t_start), "start");
  body += text(kLeft + plot_w, axis_y, "tick", "now", "end");
  body += text(kLeft + plot_w / 2, axis_y, "tick", "drops per second, all namespaces", "middle");
  body += "</g>";
  const double height = axis_y + 8;
  return fmt::format(
             "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" role=\"img\" "
             "width=\"{}\" height=\"{:.0f}\" viewBox=\"0 0 {} {:.0f}\" data-samples=\"{}\">"
             "<title>drops per second per layer</title>",
             kW, height, kW, height, n) +
         body + "</svg>\n";
}

std::string render_exporter_index(const MonitorState& st) {
  std::string o = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
      "<meta name=\"color-scheme\" content=\"light dark\"/>"
      "<meta http-equiv=\"refresh\" content=\"{:.0f}\"/><title>pktloss exporter</title><style>"
      ":root{{--bg:#fff;--fg:#1d1d1d;--muted:#666;--line:#8a8a8a;--link:#3465a4;"
      "--fault:#ffd0d0;--crit:#b00020}}"
      "@media (prefers-color-scheme:dark){{:root{{--bg:#161616;--fg:#e4e4e4;--muted:#a0a0a0;"
      "--line:#777;--link:#8ab4f8;--fault:#5c1f24;--crit:#ff6b7a}}}}"
      "@media print{{:root{{--bg:#fff;--fg:#000;--muted:#444;--fault:#ffc4c4}}}}"
      "html{{background:var(--bg);color:var(--fg)}}body{{font-family:system-ui,sans-serif;"
      "margin:1em auto;padding:0 1em;max-width:60em;line-height:1.4}}a{{color:var(--link)}}"
      "h1{{font-size:1.2em}}h2{{font-size:1.1em;margin:1.2em 0 .4em}}.meta{{color:var(--muted)}}"
      ".tlwrap{{overflow-x:auto}}.tlwrap svg{{max-width:100%;height:auto;min-width:30em}}"
      "{}</style></head><body>\n<h1>pktloss exporter</h1>\n"
      "<p>Where and why this host loses packets, as Prometheus metrics.</p>\n"
      "<ul><li><a href=\"/metrics\">/metrics</a> (Prometheus text 0.0.4, OpenMetrics 1.0.0 on "
      "request)</li>\n<li><a href=\"/-/healthy\">/-/healthy</a></li></ul>\n",
      std::max(1.0, std::ceil(st.interval_s)), timeline_svg_css());
  o += fmt::format(
      "<h2>Drops per second per layer</h2>\n<p class=\"meta\">{} sample{} every {:.1f} s, "
      "collection {}</p>\n<div class=\"tlwrap\">\n",
      st.timeline.size(), st.timeline.size() == 1 ? "" : "s", st.interval_s, st.collections);
  o += render_timeline_svg(st.timeline) + "</div>\n";
  o += fmt::format("<h2>Active findings ({})</h2>\n", st.report.findings.size());
  if (st.report.findings.empty())
    o += "<p>None.</p>\n";
  else {
    o += "<ul>\n";
    for (const auto& f : st.report.findings)
      o += fmt::format("<li><b>{}</b> {} \u00b7 netns {} \u00b7 {}</li>\n", to_string(f.severity),
                       html_escape(f.id), html_escape(f.netns),
                       html_escape(f.summary.empty() ? f.object : f.summary));
    o += "</ul>\n";
  }
  return o + "</body></html>\n";
}

}  // namespace pktloss
