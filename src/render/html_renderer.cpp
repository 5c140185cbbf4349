#include "render/html_renderer.h"

#include <fmt/format.h>

#include <vector>

#include "render/path_view.h"
#include "render/svg_path.h"
#include "render/svg_seq.h"

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

// Colours are variables so one stylesheet serves light, dark and print.
const char* kStyle =
    ":root{--bg:#fff;--fg:#1d1d1d;--muted:#666;--line:#8a8a8a;--link:#3465a4;--ok:#e3f4e3;"
    "--warn:#ffe6b3;--fault:#ffd0d0;--crit:#b00020;--wrn:#9a5b00;--code:#f3f3f3}"
    "@media (prefers-color-scheme:dark){:root{--bg:#161616;--fg:#e4e4e4;--muted:#a0a0a0;"
    "--line:#777;--link:#8ab4f8;--ok:#1f3b22;--warn:#4d3b10;--fault:#5c1f24;--crit:#ff6b7a;"
    "--wrn:#f0b350;--code:#262626}}"
    "html{background:var(--bg);color:var(--fg)}"
    "body{font-family:system-ui,sans-serif;margin:1em auto;padding:0 1em;max-width:80em;"
    "line-height:1.4}"
    "a{color:var(--link)}h1{font-size:1.2em;margin:.2em 0}h2{font-size:1.1em;margin:1.2em 0 .4em}"
    ".meta{color:var(--muted);margin:.2em 0 .8em}"
    "#verdict{border:2px solid var(--line);border-radius:6px;padding:.6em 1em;margin:.6em 0}"
    "#verdict.bad{border-color:var(--crit)}#verdict.good{border-color:var(--line)}"
    "#verdict h2{margin:.1em 0 .4em;font-size:1.2em}#verdict ol,#verdict ul{margin:.2em 0;"
    "padding-left:1.6em}.where{color:var(--muted)}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "td,th{border:1px solid var(--line);padding:.25em .6em;text-align:left;vertical-align:top}"
    ".critical{color:var(--crit);font-weight:bold}.warning{color:var(--wrn);font-weight:bold}"
    ".info{color:var(--muted)}"
    "pre{background:var(--code);padding:.4em;margin:.2em 0;white-space:pre-wrap;"
    "overflow-wrap:anywhere}"
    ".finding{border-left:4px solid var(--line);padding-left:1em;margin:1.2em 0}"
    ".finding.sev-critical{border-left-color:var(--crit)}"
    ".finding.sev-warning{border-left-color:var(--wrn)}"
    ".finding:target{outline:2px solid var(--link)}"
    ".pathwrap{overflow-x:auto}.pathwrap svg{max-width:100%;height:auto;min-width:36em}"
    ".legend{color:var(--muted);font-size:.9em}"
    ".seqwrap{overflow-x:auto;margin:.4em 0 1em}.seqwrap svg{max-width:100%;height:auto;"
    "min-width:30em}"
    ".tablewrap{overflow-x:auto}"
    // A phone: the causes stay whole, what they cause shrinks to a line of links.
    "@media (max-width:600px){body{margin:.3em auto;padding:0 .5em}h1{font-size:1em}"
    ".meta{font-size:.85em;margin:.1em 0 .4em}#verdict{padding:.3em .6em;margin:.3em 0}"
    "#verdict h2{font-size:1.05em}#verdict li{font-size:.9em}#verdict ol{padding-left:1.3em}"
    "#verdict ul.sym{padding-left:0;display:inline}#verdict ul.sym "
    "li{display:inline;list-style:none}"
    "#verdict ul.sym li+li::before{content:', '}#verdict ul.sym .sum,#verdict ul.sym .where"
    "{display:none}#verdict p.symhead{display:inline;margin:0}}"
    "@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--line:#666;--link:#000;--ok:#fff;"
    "--warn:#ffe6b3;--fault:#ffc4c4;--code:#fff}body{max-width:none;margin:0}"
    ".pathwrap,.seqwrap{overflow:visible}.pathwrap svg,.seqwrap svg{min-width:0;width:100%}"
    ".seqwrap{break-inside:avoid}"
    ".finding,#verdict,.pathwrap{break-inside:avoid}a{text-decoration:none}"
    "pre{border:1px solid #999}h2{break-after:avoid}}";

std::string evidence_row(const Evidence& e) {
  std::string numbers;
  if (e.delta)
    numbers = fmt::format("{} \u2192 {} (+{}){}", e.before.value_or(0), e.after.value_or(0),
                          *e.delta, e.reset ? " counter reset" : "");
  else if (e.after)
    numbers = fmt::format("{} (lifetime)", *e.after);
  return fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     html_escape(e.source), html_escape(e.counter), numbers, html_escape(e.text));
}

std::string where(const Finding& f) {
  std::string w = f.netns;
  if (!f.object.empty()) w += (w.empty() ? "" : " \u00b7 ") + f.object;
  return w;
}

// The verdict first: the causes, then what they cause, each linking to its finding.
std::string verdict(const Report& r) {
  std::vector<size_t> causes, symptoms;
  for (size_t i = 0; i < r.findings.size(); ++i)
    if (r.findings[i].severity >= Severity::warning)
      (r.findings[i].symptom ? symptoms : causes).push_back(i);
  if (causes.empty() && symptoms.empty())
    return fmt::format(
        "<section id=\"verdict\" class=\"good\"><h2>Verdict: no packet loss cause found</h2>"
        "<p>{}</p></section>\n",
        r.window_s > 0 ? fmt::format("Watched for {:.1f} s.", r.window_s)
                       : std::string("Lifetime counters only; use -i SECONDS to watch a window."));
  std::string o = fmt::format(
      "<section id=\"verdict\" class=\"bad\"><h2>Verdict: {} likely root cause{} of packet "
      "loss</h2>\n<ol>\n",
      causes.size(), causes.size() == 1 ? "" : "s");
  // Symptom items end without a newline: on a phone they run on as one line of links.
  auto item = [&](size_t i, const char* end = "\n") {
    const Finding& f = r.findings[i];
    return fmt::format(
        "<li><a href=\"#finding-{}\"><span class=\"{}\">{}</span></a> <span class=\"sum\">{}"
        "</span> <span class=\"where\">({})</span></li>{}",
        i + 1, to_string(f.severity), html_escape(f.id), html_escape(f.summary),
        html_escape(where(f)), end);
  };
  for (size_t i : causes) o += item(i);
  o += "</ol>\n";
  if (!symptoms.empty()) {
    o += "<p class=\"symhead\">What they cause: </p><ul class=\"sym\">\n";
    for (size_t i : symptoms) o += item(i, "");
    o += "</ul>\n";
  }
  return o + "</section>\n";
}

// A capture's flows that lost data, each as its time-sequence graph (the analyser traces the
// worst few).
std::string sequence_graphs(const CaptureAnalysis& a) {
  std::string o;
  size_t n = 0;
  for (const auto& f : a.flows) {
    if (!f.seq_trace) continue;
    if (n++ == 0) o += "<h2>Time-sequence graphs</h2>\n";
    o += "<div class=\"seqwrap\">\n" + render_seq_svg(f) + "</div>\n";
  }
  if (n)
    o += "<p class=\"legend\">Each graph is one direction of a flow that lost data: sequence "
         "number (relative) against time, each data segment a bar from its first to its last "
         "byte (red: sent again; dashed: never acknowledged), the receiver's cumulative ACK as "
         "the green step line and its SACK blocks in blue. Below, every segment's IP size; a "
         "dashed amber line marks the size above which nothing was acknowledged.</p>\n";
  return o;
}

}  // namespace

std::string render_html(const Report& r) {
  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
      "<meta name=\"color-scheme\" content=\"light dark\"/><title>pktloss report</title>";
  o += fmt::format("<style>{}{}{}</style></head><body>\n", kStyle, path_svg_css(),
                   r.capture ? seq_svg_css() : "");
  o += fmt::format("<h1>pktloss {} on {} (netns {})</h1>\n", html_escape(r.version),
                   html_escape(r.host), html_escape(r.netns));
  o += fmt::format("<p class=\"meta\">started {} \u00b7 window {:.1f} s", html_escape(r.started),
                   r.window_s);
  if (r.target)
    o += fmt::format(" \u00b7 target {}:{}", html_escape(r.target->host), r.target->port);
  o += "</p>\n";
  o += verdict(r);
  if (r.capture) o += sequence_graphs(*r.capture);

  o += "<h2>Packet path</h2>\n<div class=\"pathwrap\">\n" + render_path_svg(build_path_view(r)) +
       "</div>\n<p class=\"legend\">One column per namespace, application at the top, link at "
       "the bottom; green ok, amber warning, red fault. A numbered marker is a finding at the "
       "place it names (filled: a cause, hollow: what the causes lead to); the lines below are "
       "the links between namespaces, the arrows above the probe traffic.</p>\n";

  if (!r.probes.empty()) {
    o += "<h2>Probes</h2><div class=\"tablewrap\"><table><tr><th>kind</th><th>sent</th>"
         "<th>answered</th><th>loss</th><th>95% interval</th><th>rtt avg / p99 ms</th>"
         "<th>detail</th></tr>\n";
    for (const auto& p : r.probes)
      o += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1f}%</td><td>{:.1f}\u2013{:.1f}%"
          "</td><td>{}</td><td>{}</td></tr>\n",
          html_escape(p.kind), p.sent, p.received, p.loss * 100, p.loss_ci_low * 100,
          p.loss_ci_high * 100,
          p.rtt ? fmt::format("{:.2f} / {:.2f}", p.rtt->avg_ms, p.rtt->p99_ms) : "-",
          html_escape(p.detail));
    o += "</table></div>\n";
  }

  o += "<h2>Findings</h2>\n";
  if (r.findings.empty()) o += "<p>No packet loss cause found.</p>\n";
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const Finding& f = r.findings[i];
    o += fmt::format(
        "<div class=\"finding sev-{0}\" id=\"finding-{5}\"><p>{5}. <span class=\"{0}\">{0}</span> "
        "<b>{1}</b> \u00b7 netns {2} \u00b7 {3} \u00b7 confidence {4:.2f}</p>\n",
        to_string(f.severity), html_escape(f.id), html_escape(f.netns), html_escape(f.object),
        f.confidence, i + 1);
    o += fmt::format("<p>{}</p><p>{}</p>\n", html_escape(f.summary), html_escape(f.explanation));
    if (!f.evidence.empty()) {
      o += "<div class=\"tablewrap\"><table><tr><th>source</th><th>counter</th><th>values</th>"
           "<th>detail</th></tr>\n";
      for (const auto& e : f.evidence) o += evidence_row(e);
      o += "</table></div>\n";
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
