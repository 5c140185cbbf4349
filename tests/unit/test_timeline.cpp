// The serve/watch time line: the monitor's bounded ring of drops per second per layer, the
// sparklines of watch and the exporter index page's SVG (parsed with a real XML parser).
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <string>

#include "model/rate_timeline.h"
#include "render/sparkline.h"
#include "render/svg_timeline.h"
#include "render/watch_renderer.h"
#include "serve/layer_counters.h"
#include "serve/monitor.h"

using namespace pktloss;

namespace {

RateSample sample(double t, double link, double ip = 0) {
  RateSample s;
  s.unix_s = t;
  s.per_s[0] = link;  // kAllLayers[0] is link
  s.known[0] = true;
  s.per_s[3] = ip;  // ip
  s.known[3] = true;
  return s;
}

size_t count_code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

TEST(RateTimeline, WrapsAndStaysBounded) {
  RateTimeline tl(5);
  EXPECT_EQ(tl.size(), 0u);
  for (int i = 0; i < 3; ++i) tl.push(sample(i, i));
  ASSERT_EQ(tl.size(), 3u);
  EXPECT_EQ(tl.samples().front().unix_s, 0);
  for (int i = 3; i < 1000; ++i) tl.push(sample(i, i));
  EXPECT_EQ(tl.size(), 5u);
  EXPECT_EQ(tl.capacity(), 5u);
  auto s = tl.samples();
  ASSERT_EQ(s.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(s[i].unix_s, 995 + i);  // the newest, oldest first
  EXPECT_EQ(RateTimeline(0).capacity(), 2u);
}

TEST(RateTimeline, NegativeOrInvalidRatesAreStoredAsZero) {
  RateTimeline tl(4);
  RateSample s = sample(1, -5, std::nan(""));
  tl.push(s);
  EXPECT_EQ(tl.samples()[0].per_s[0], 0);
  EXPECT_EQ(tl.samples()[0].per_s[3], 0);
}

// A counter that went backwards (an interface re-created) is a small rate, never negative, and a
// layer without counters stays unknown rather than zero.
TEST(RateTimeline, CounterResetGivesNoNegativeRate) {
  NetnsSnapshot before, after;
  Link l;
  l.name = "eth0";
  l.stats.rx_dropped = 1000000;
  before.links.push_back(l);
  l.stats.rx_dropped = 4;
  after.links.push_back(l);
  before.snmp = {{"Ip.InDiscards", 50}};
  after.snmp = {{"Ip.InDiscards", 10}};
  MonitorState::LayerRates lr;
  lr.netns = "srv";
  for (const auto& [layer, n] : layer_drop_deltas(before, after)) lr.per_s[layer] = n / 2.0;
  MonitorState::LayerRates other = lr;
  other.netns = "cli";
  RateSample s = timeline_sample({lr, other}, 100);
  EXPECT_EQ(s.unix_s, 100);
  EXPECT_DOUBLE_EQ(s.per_s[0], 2 * 4 / 2.0);  // summed over both namespaces
  EXPECT_GE(s.per_s[3], 0);
  for (double v : s.per_s) EXPECT_GE(v, 0);
  EXPECT_TRUE(s.known[0]);
  EXPECT_FALSE(s.known[kLayerCount - 1]) << "application has no counter";
}

TEST(Sparkline, ScalesToThePeakInBlocksOrAscii) {
  std::vector<double> v{0, 1, 2, 4, 8};
  std::string u = sparkline(v, 80, true);
  EXPECT_EQ(u, "\u2581\u2582\u2583\u2585\u2588");
  EXPECT_EQ(sparkline(v, 80, false), "_.-=#");
  // The last `width` values only.
  EXPECT_EQ(count_code_points(sparkline(std::vector<double>(300, 1), 40, true)), 40u);
  EXPECT_EQ(sparkline({5, 0, 0}, 2, false), "__");
  // All zero: the lowest block; one small drop among big ones is still visible.
  EXPECT_EQ(sparkline({0, 0, 0}, 10, true), "\u2581\u2581\u2581");
  EXPECT_EQ(sparkline({1000, 1}, 10, false), "#.");
  EXPECT_EQ(sparkline({}, 10, true), "");
}

TEST(Sparkline, Utf8LocaleFromTheEnvironment) {
  EXPECT_TRUE(utf8_locale(nullptr, nullptr, "en_US.UTF-8"));
  EXPECT_TRUE(utf8_locale("C.utf8", nullptr, nullptr));
  EXPECT_FALSE(utf8_locale("C", nullptr, "en_US.UTF-8")) << "LC_ALL wins";
  EXPECT_FALSE(utf8_locale(nullptr, nullptr, nullptr));
  EXPECT_FALSE(utf8_locale("", "", "POSIX"));
}

TEST(Sparkline, WatchShowsOneLinePerLayerWithCounters) {
  MonitorState st;
  st.interval_s = 1;
  for (int i = 0; i < 30; ++i) st.timeline.push_back(sample(1000 + i, i % 10 == 0 ? 50 : 0));
  WatchView v{&st, nullptr, 100, 60, false, true};
  std::string screen = render_watch_screen(v);
  EXPECT_NE(screen.find("Drops per second over the last 29 s"), std::string::npos) << screen;
  EXPECT_NE(screen.find("  link        \u2588"), std::string::npos) << screen;
  EXPECT_NE(screen.find("  ip          \u2581"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("  application "), std::string::npos) << screen;
  v.utf8 = false;
  screen = render_watch_screen(v);
  EXPECT_NE(screen.find("  link        #_________#"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("\u2581"), std::string::npos);
}

TEST(TimelineSvg, OneLanePerLayerWellFormed) {
  std::vector<RateSample> samples;
  for (int i = 0; i < 120; ++i) samples.push_back(sample(1000 + 5 * i, i > 60 ? 30 : 0, 1));
  std::string svg = render_timeline_svg(samples);
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(svg.c_str()), tinyxml2::XML_SUCCESS) << doc.ErrorStr();
  const auto* root = doc.RootElement();
  EXPECT_EQ(root->IntAttribute("data-samples"), 120);
  size_t lanes = 0, rates = 0;
  for (const auto* g = root->FirstChildElement("g"); g; g = g->NextSiblingElement("g")) {
    if (!g->Attribute("data-layer")) continue;
    ++lanes;
    std::string layer = g->Attribute("data-layer");
    const auto* p = g->FirstChildElement("path");
    if (layer == "link" || layer == "ip") {
      ASSERT_TRUE(p) << layer;
      EXPECT_EQ(p->IntAttribute("data-points"), 120);
      ++rates;
    } else {
      EXPECT_FALSE(p) << layer << ": no counters, no line";
    }
  }
  EXPECT_EQ(lanes, kLayerCount);
  EXPECT_EQ(rates, 2u);
  EXPECT_NE(svg.find("-10 min"), std::string::npos);
  EXPECT_NE(svg.find("max 30.0/s"), std::string::npos);

  MonitorState st;
  st.interval_s = 5;
  st.timeline = samples;
  std::string page = render_exporter_index(st);
  tinyxml2::XMLDocument pdoc;
  ASSERT_EQ(pdoc.Parse(page.c_str()), tinyxml2::XML_SUCCESS) << pdoc.ErrorStr();
  EXPECT_NE(page.find("href=\"/metrics\""), std::string::npos);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("prefers-color-scheme:dark"), std::string::npos);
  // No sample yet: still a page, saying so.
  EXPECT_NE(render_timeline_svg({}).find("no rates yet"), std::string::npos);
}
