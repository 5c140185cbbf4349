#include <gtest/gtest.h>

#include "render/html_renderer.h"
#include "render/text_renderer.h"
#include "rules/evidence.h"

using namespace pktloss;

namespace {

Report sample_report() {
  Report r;
  r.version = "0.1.0";
  r.host = "h";
  r.netns = "srv";
  r.window_s = 2;
  Finding f;
  f.id = "netfilter.drop_rule";
  f.layer = Layer::netfilter;
  f.severity = Severity::critical;
  f.netns = "srv";
  f.object = "ip filter INPUT rule 1";
  f.summary = "rule drops <30%> of packets";
  f.evidence.push_back(value_evidence("nftables", "packets", 10, 16, "-A INPUT -j DROP"));
  f.fix.push_back("iptables -D INPUT 1");
  r.findings.push_back(f);
  r.layers["netfilter"] = {6, LayerStatus::fault};
  return r;
}

}  // namespace

TEST(TextRenderer, VerdictPathEvidenceAndFix) {
  std::string out = render_text(sample_report(), TextStyle{});
  EXPECT_NE(out.find("Verdict: 1 likely root cause"), std::string::npos) << out;
  EXPECT_NE(out.find("netfilter    FAULT"), std::string::npos) << out;
  EXPECT_NE(out.find("packets: 10 -> 16 (+6)"), std::string::npos) << out;
  EXPECT_NE(out.find("$ iptables -D INPUT 1"), std::string::npos) << out;
  EXPECT_EQ(out.find("\033["), std::string::npos) << "no colour unless asked";
}

TEST(TextRenderer, CleanReportSaysSo) {
  Report r;
  std::string out = render_text(r, TextStyle{});
  EXPECT_NE(out.find("no packet loss cause found"), std::string::npos);
}

TEST(HtmlRenderer, EscapesHostStrings) {
  std::string out = render_html(sample_report());
  EXPECT_EQ(out.find("<30%>"), std::string::npos);
  EXPECT_NE(out.find("&lt;30%&gt;"), std::string::npos);
  EXPECT_NE(out.find("$ iptables -D INPUT 1"), std::string::npos);
}
