#include "render/svg_path.h"

#include <fmt/format.h>

#include <algorithm>

#include "render/html_renderer.h"

namespace pktloss {
namespace {

constexpr double kMargin = 12, kColW = 360, kGap = 48, kHeadH = 34, kRowBase = 32, kMarkerH = 20,
                 kRowGap = 4, kLaneH = 34, kOutsideW = 90;

std::string status_class(LayerStatus status) {
  return std::string("st-") + to_string(status);
}

// Fits s into n characters, ending in "..." when cut (the full text is in the <title>).
std::string fit(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  return s.substr(0, n > 3 ? n - 3 : 0) + "...";
}

size_t chars_for(double px) {
  return static_cast<size_t>(px / kSvgCharPx);
}

std::string text(double x, double y, const std::string& cls, const std::string& s,
                 const char* anchor = "start") {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"{}\" text-anchor=\"{}\">{}</text>", x,
                     y, cls, anchor, html_escape(s));
}

}  // namespace

const char* path_svg_css() {
  return "svg.path text{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;"
         "font-size:12px;fill:var(--fg)}"
         "svg.path text.head{font-weight:bold;font-size:13px}"
         "svg.path text.layer-name{font-weight:bold}"
         "svg.path text.num{font-size:10px;fill:var(--bg);font-weight:bold}"
         "svg.path .st-ok{fill:var(--ok)}svg.path .st-warning{fill:var(--warn)}"
         "svg.path .st-fault{fill:var(--fault)}"
         "svg.path rect.layer{stroke:var(--line);stroke-width:1}"
         "svg.path rect.colhead{fill:none;stroke:none}"
         "svg.path circle.sev-critical{fill:var(--crit)}svg.path "
         "circle.sev-warning{fill:var(--wrn)}"
         "svg.path circle.symptom{fill:var(--bg);stroke:var(--fg);stroke-width:1.5}"
         "svg.path circle.symptom+text.num{fill:var(--fg)}"
         "svg.path path.wire{fill:none;stroke:var(--line);stroke-width:2}"
         "svg.path path.veth{fill:none;stroke:var(--link);stroke-width:2}"
         "svg.path path.bridge{fill:none;stroke:var(--link);stroke-width:2;stroke-dasharray:6 3}"
         "svg.path path.traffic{fill:none;stroke:var(--fg);stroke-width:1.5}"
         "svg.path path.traffic.lossy{stroke:var(--crit);stroke-dasharray:5 3}"
         "svg.path #pl-arrow path{fill:var(--fg)}"
         "svg.path a:hover text{text-decoration:underline}";
}

std::string render_path_svg(const PathView& v) {
  const size_t n = v.columns.size();
  bool outside = false;
  for (const auto& l : v.links) outside |= l.b == PathConnection::kOutside;
  for (const auto& t : v.traffic) outside |= t.to == PathConnection::kOutside;
  const double width = 2 * kMargin + n * kColW + (n ? n - 1 : 0) * kGap + (outside ? kOutsideW : 0);
  auto col_x = [&](size_t i) { return kMargin + i * (kColW + kGap); };
  auto col_cx = [&](size_t i) {
    return i == PathConnection::kOutside ? width - kMargin - 10 : col_x(i) + kColW / 2;
  };

  // Rows line up across columns: a layer is as tall as its most-marked cell.
  std::vector<double> row_h;
  for (size_t li = 0; li < std::size(kLayersTopDown); ++li) {
    size_t most = 0;
    for (const auto& c : v.columns) most = std::max(most, c.layers[li].markers.size());
    row_h.push_back(kRowBase + most * kMarkerH);
  }

  std::string body;
  double y = kMargin;

  // Probe traffic: one lane each, the label above its arrow.
  for (const auto& t : v.traffic) {
    double x1 = col_cx(t.from), x2 = col_cx(t.to);
    double lx = std::min(x1, x2) + 6;
    body += "<g class=\"traffic\">";
    body += text(lx, y + 12, "traffic-label",
                 fit(t.label, chars_for(std::max(std::abs(x2 - x1), kColW / 2) - 12)));
    body += fmt::format(
        "<path class=\"traffic{}\" d=\"M{:.1f},{:.1f} H{:.1f}\" marker-end=\"url(#pl-arrow)\"/>",
        t.loss > 0 ? " lossy" : "", x1, y + 22, x2 + (x2 > x1 ? -4 : 4));
    body += "<title>" + html_escape(t.label) + "</title></g>\n";
    y += kLaneH;
  }
  if (!v.traffic.empty()) y += 4;

  const double stack_top = y;
  double stack_bottom = stack_top;
  for (size_t ci = 0; ci < n; ++ci) {
    const PathColumn& c = v.columns[ci];
    double x = col_x(ci), cy = stack_top;
    body += fmt::format("<g class=\"column\" data-netns=\"{}\">\n", html_escape(c.name));
    std::string head = c.name + " (" + c.role + (c.probed ? ", probe target" : "") + ")";
    body += text(x + 4, cy + 18, "head", fit(head, chars_for(kColW - 8) * 12 / 13));
    cy += kHeadH;
    for (size_t li = 0; li < c.layers.size(); ++li) {
      const PathLayer& pl = c.layers[li];
      const char* lname = to_string(pl.layer);
      body += fmt::format(
          "<g class=\"cell\" data-layer=\"{0}\" data-netns=\"{1}\">"
          "<rect class=\"layer {2}\" data-layer=\"{0}\" x=\"{3:.1f}\" y=\"{4:.1f}\" "
          "width=\"{5:.1f}\" height=\"{6:.1f}\" rx=\"4\"/>",
          lname, html_escape(c.name), status_class(pl.summary.status), x, cy, kColW, row_h[li]);
      body += text(x + 8, cy + 20, "layer-name", lname);
      std::string st = to_string(pl.summary.status);
      if (pl.summary.drops)
        st += fmt::format(" - {} drop{}", pl.summary.drops, pl.summary.drops == 1 ? "" : "s");
      body += text(x + kColW - 8, cy + 20, "layer-status", st, "end");
      double my = cy + kRowBase;
      for (const auto& m : pl.markers) {
        std::string cls = m.symptom ? "symptom" : std::string("sev-") + to_string(m.severity);
        std::string full = m.id + ": " + m.label;
        body += fmt::format(
            "<g class=\"marker\" data-finding=\"{0}\" data-layer=\"{1}\" data-netns=\"{2}\">"
            "<a href=\"#finding-{3}\"><title>{4}</title>"
            "<circle class=\"{5}\" cx=\"{6:.1f}\" cy=\"{7:.1f}\" r=\"8\"/>",
            html_escape(m.id), lname, html_escape(c.name), m.finding + 1, html_escape(full), cls,
            x + 16, my + 6);
        body += text(x + 16, my + 10, "num", std::to_string(m.finding + 1), "middle");
        body += text(x + 30, my + 10, "marker-label",
                     fit(short_id(m.id, pl.layer) + ": " + m.label, chars_for(kColW - 38)));
        body += "</a></g>";
        my += kMarkerH;
      }
      body += "</g>\n";
      cy += row_h[li] + kRowGap;
    }
    body += "</g>\n";
    stack_bottom = std::max(stack_bottom, cy - kRowGap);
  }

  // Links below the stacks: down from one column's link layer, across, up into the other's.
  y = stack_bottom + 6;
  for (const auto& l : v.links) {
    double x1 = col_cx(l.a), x2 = col_cx(l.b);
    double lane = y + kLaneH - 8;
    body += fmt::format("<g class=\"link\" data-kind=\"{}\">", html_escape(l.kind));
    if (l.b == PathConnection::kOutside)
      body += fmt::format("<path class=\"{}\" d=\"M{:.1f},{:.1f} V{:.1f} H{:.1f}\"/>",
                          html_escape(l.kind), x1, stack_bottom, lane, x2);
    else
      body += fmt::format("<path class=\"{}\" d=\"M{:.1f},{:.1f} V{:.1f} H{:.1f} V{:.1f}\"/>",
                          html_escape(l.kind), x1, stack_bottom, lane, x2, stack_bottom);
    double lx = std::min(x1, x2) + 6;
    double room = std::max(std::abs(x2 - x1), kColW / 2) - 12;
    body += text(lx, lane - 6, "link-label", fit(l.label, chars_for(room)));
    body += "<title>" + html_escape(l.label) + "</title></g>\n";
    y += kLaneH;
  }
  const double height = y + kMargin;

  std::string o = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"path\" role=\"img\" "
      "aria-label=\"packet path\" viewBox=\"0 0 {0:.0f} {1:.0f}\" width=\"{0:.0f}\" "
      "height=\"{1:.0f}\">\n",
      width, height);
  o += "<defs><marker id=\"pl-arrow\" viewBox=\"0 0 10 10\" refX=\"8\" refY=\"5\" "
       "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">"
       "<path d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n";
  return o + body + "</svg>\n";
}

}  // namespace pktloss
