// Renders a report JSON (a fixture or `diagnose --json` output) as the HTML page or the text
// view, for the browser test and for looking at the renderers without a live diagnosis:
//   pktloss_render_report html|text[:WIDTH] REPORT.json > out
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "model/json.h"
#include "render/html_renderer.h"
#include "render/text_renderer.h"

int main(int argc, char** argv) {
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
