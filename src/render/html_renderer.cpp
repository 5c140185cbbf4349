#include "render/html_renderer.h"

#include <fmt/format.h>

#include <array>

namespace pktloss {

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

const char* kStyle =
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}"
    "h1{font-size:1.4em}table{border-collapse:collapse;margin:.5em 0}"
    "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}"
    ".critical{color:#b00;font-weight:bold}.warning{color:#a60;font-weight:bold}.info{color:#666}"
    ".fault{background:#fdd}.warn{background:#ffe9c0}.ok{background:#e6f6e6}"
    "pre{background:#f4f4f4;padding:.4em;margin:.2em 0;white-space:pre-wrap}"
    ".finding{border-left:4px solid #ccc;padding-left:1em;margin:1.2em 0}";

std::string evidence_row(const Evidence& e) {
  std::string numbers;
  if (e.delta)
    numbers = fmt::format("{} &rarr; {} (+{}){}", e.before.value_or(0), e.after.value_or(0),
                          *e.delta, e.reset ? " counter reset" : "");
  else if (e.after)
    numbers = fmt::format("{} (lifetime)", *e.after);
  return fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     html_escape(e.source), html_escape(e.counter), numbers, html_escape(e.text));
}

}  // namespace

std::string render_html(const Report& r) {
  std::string o =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>pktloss report</title>";
  o += fmt::format("<style>{}</style></head><body>\n", kStyle);
  o += fmt::format("<h1>pktloss {} on {} (netns {})</h1>\n", html_escape(r.version),
                   html_escape(r.host), html_escape(r.netns));
  o += fmt::format("<p>started {} &middot; window {:.1f} s", html_escape(r.started), r.window_s);
  if (r.target)
    o += fmt::format(" &middot; target {}:{}", html_escape(r.target->host), r.target->port);
  o += "</p>\n";

  if (!r.probes.empty()) {
    o += "<h2>Probes</h2><table><tr><th>kind</th><th>sent</th><th>answered</th><th>loss</th>"
         "<th>95% interval</th><th>rtt avg / p99 ms</th><th>detail</th></tr>\n";
    for (const auto& p : r.probes)
      o += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1f}%</td><td>{:.1f}&ndash;{:.1f}%"
          "</td><td>{}</td><td>{}</td></tr>\n",
          html_escape(p.kind), p.sent, p.received, p.loss * 100, p.loss_ci_low * 100,
          p.loss_ci_high * 100,
          p.rtt ? fmt::format("{:.2f} / {:.2f}", p.rtt->avg_ms, p.rtt->p99_ms) : "-",
          html_escape(p.detail));
    o += "</table>\n";
  }

  o += "<h2>Packet path</h2><table><tr><th>layer</th><th>status</th><th>drops</th></tr>\n";
  static constexpr std::array kTopDown = {Layer::application, Layer::socket,    Layer::transport,
                                          Layer::ip,          Layer::netfilter, Layer::qdisc,
                                          Layer::link};
  for (Layer l : kTopDown) {
    auto it = r.layers.find(to_string(l));
    LayerSummary s = it == r.layers.end() ? LayerSummary{} : it->second;
    std::string cls = s.status == "fault" ? "fault" : s.status == "warning" ? "warn" : "ok";
    o += fmt::format("<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>\n", cls, to_string(l),
                     html_escape(s.status), s.drops);
  }
  o += "</table>\n<h2>Findings</h2>\n";
  if (r.findings.empty()) o += "<p>No packet loss cause found.</p>\n";
  for (const auto& f : r.findings) {
    o += fmt::format(
        "<div class=\"finding\"><p><span class=\"{0}\">{0}</span> <b>{1}</b> "
        "&middot; netns {2} &middot; {3} &middot; confidence {4:.2f}</p>\n",
        to_string(f.severity), html_escape(f.id), html_escape(f.netns), html_escape(f.object),
        f.confidence);
    o += fmt::format("<p>{}</p><p>{}</p>\n", html_escape(f.summary), html_escape(f.explanation));
    if (!f.evidence.empty()) {
      o += "<table><tr><th>source</th><th>counter</th><th>values</th><th>detail</th></tr>\n";
      for (const auto& e : f.evidence) o += evidence_row(e);
      o += "</table>\n";
    }
    for (const auto& cmd : f.fix) o += "<pre>$ " + html_escape(cmd) + "</pre>\n";
    o += "</div>\n";
  }
  if (!r.notes.empty()) {
    o += "<h2>Notes</h2><ul>\n";
    for (const auto& n : r.notes) o += "<li>" + html_escape(n) + "</li>\n";
    o += "</ul>\n";
  }
  return o + "</body></html>\n";
}

}  // namespace pktloss
