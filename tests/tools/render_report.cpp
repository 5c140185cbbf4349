// Renders a report JSON (a fixture or `diagnose --json` output) as the HTML page or the text
// view, for the browser test and for looking at the renderers without a live diagnosis:
//   pktloss_render_report html|text[:WIDTH] REPORT.json > out
//   pktloss_render_report exporter-index > out   (the exporter's page over a made-up ten minutes)
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "model/json.h"
#include "render/html_renderer.h"
#include "render/svg_timeline.h"
#include "render/text_renderer.h"

namespace {

// Ten minutes at a 5 s interval: a netfilter DROP rule that starts dropping after four minutes,
// a burst of link drops, a steady trickle at the IP layer.
pktloss::MonitorState exporter_state() {
  pktloss::MonitorState st;
  st.interval_s = 5;
  st.collections = 121;
  for (int i = 0; i < 120; ++i) {
    pktloss::RateSample s;
    s.unix_s = 1'780'000'000 + 5.0 * i;
    for (size_t k = 0; k + 1 < pktloss::kLayerCount; ++k) s.known[k] = true;
    s.per_s[0] = (i >= 70 && i < 76) ? 40.0 + 10 * (i - 70) : 0;  // link
    s.per_s[2] = i >= 48 ? 30 + (i % 7) : 0;                      // netfilter
    s.per_s[3] = 0.2 * (i % 3);                                   // ip
    st.timeline.push_back(s);
  }
  pktloss::Finding f;
  f.id = "netfilter.drop_rule";
  f.severity = pktloss::Severity::critical;
  f.netns = "srv";
  f.summary = "filter INPUT rule 3 drops 30% of packets to port 80";
  st.report.findings.push_back(f);
  return st;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "exporter-index") {
    std::string out = pktloss::render_exporter_index(exporter_state());
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  if (argc != 3) {
    std::cerr << "usage: pktloss_render_report html|text[:WIDTH] REPORT.json\n";
    return 2;
  }
  std::ifstream f(argv[2]);
  if (!f) {
    std::cerr << "cannot read " << argv[2] << "\n";
    return 2;
  }
  pktloss::Report r;
  try {
    r = pktloss::json::parse(f).get<pktloss::Report>();
  } catch (const std::exception& e) {
    std::cerr << argv[2] << ": not a report: " << e.what() << "\n";
    return 2;
  }
  std::string mode = argv[1], out;
  if (mode == "html") {
    out = pktloss::render_html(r);
  } else if (mode.rfind("text", 0) == 0) {
    pktloss::TextStyle style;
    if (mode.size() > 5) style.width = std::atoi(mode.c_str() + 5);
    out = pktloss::render_text(r, style);
  } else {
    std::cerr << "unknown mode " << mode << "\n";
    return 2;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
