// The report as a picture: the HTML report's SVG packet path (parsed with a real XML parser)
// and the terminal's side-by-side stacks, from fixture reports of real diagnose runs
// (tests/fixtures/reports/make_fixtures.sh).
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "model/json.h"
#include "render/html_renderer.h"
#include "render/path_view.h"
#include "render/svg_path.h"
#include "render/text_path.h"
#include "render/text_renderer.h"

using namespace pktloss;
using tinyxml2::XMLDocument;
using tinyxml2::XMLElement;

namespace {

Report load_report(const std::string& name) {
  std::ifstream f(std::string(PKTLOSS_FIXTURES) + "/reports/" + name);
  EXPECT_TRUE(f.good()) << name;
  return json::parse(f).get<Report>();
}

bool has_class(const XMLElement* e, const std::string& cls) {
  const char* c = e->Attribute("class");
  if (!c) return false;
  std::istringstream is(c);
  std::string w;
  while (is >> w)
    if (w == cls) return true;
  return false;
}

std::string attr(const XMLElement* e, const char* name) {
  const char* v = e->Attribute(name);
  return v ? v : "";
}

void collect(const XMLElement* e, const char* tag, std::vector<const XMLElement*>& out) {
  for (const XMLElement* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) {
    if (std::string(c->Name()) == tag) out.push_back(c);
    collect(c, tag, out);
  }
}

std::vector<const XMLElement*> all(const XMLElement* root, const char* tag,
                                   const std::string& cls = "") {
  std::vector<const XMLElement*> found, out;
  collect(root, tag, found);
  for (const auto* e : found)
    if (cls.empty() || has_class(e, cls)) out.push_back(e);
  return out;
}

std::string text_of(const XMLElement* e) {
  std::string s;
  for (const tinyxml2::XMLNode* n = e->FirstChild(); n; n = n->NextSibling())
    if (n->ToText()) s += n->Value();
  return s;
}

// Counts code points: the width of a monospace line of ASCII and box-drawing characters.
size_t columns_of(const std::string& s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\033') {
      while (i < s.size() && s[i] != 'm') ++i;
      continue;
    }
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// The widths of the picture's rows inside the boxes: one width when everything lines up.
std::set<size_t> box_row_widths(const std::string& out) {
  std::istringstream is(out);
  std::string line;
  std::set<size_t> widths;
  while (std::getline(is, line))
    if (line.rfind("  \u2502", 0) == 0) widths.insert(columns_of(line));
  return widths;
}

struct Box {
  double x0, y0, x1, y1;
  std::string what;
};

// The box a <text> covers: monospace glyphs of kSvgCharPx per 12 px, anchored as it says.
Box text_box(const XMLElement* t) {
  double fs = has_class(t, "head") ? 13 : has_class(t, "num") ? 10 : kSvgFontPx;
  double w = text_of(t).size() * fs * 0.6;
  double x = t->DoubleAttribute("x"), y = t->DoubleAttribute("y");
  std::string anchor = attr(t, "text-anchor");
  double x0 = anchor == "end" ? x - w : anchor == "middle" ? x - w / 2 : x;
  return {x0, y - fs * 0.8, x0 + w, y + fs * 0.2, text_of(t)};
}

bool overlap(const Box& a, const Box& b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

struct Parsed {
  std::string html;
  XMLDocument doc;
  const XMLElement* svg = nullptr;
};

// The whole page is well-formed XML (XHTML syntax), so the real parser reads it all.
void parse(const Report& r, Parsed& p) {
  p.html = render_html(r);
  ASSERT_EQ(p.doc.Parse(p.html.c_str()), tinyxml2::XML_SUCCESS) << p.doc.ErrorStr();
  auto svgs = all(p.doc.RootElement(), "svg");
  ASSERT_EQ(svgs.size(), 1u);
  p.svg = svgs[0];
}

// Checks every structural promise of the picture against the report it was drawn from.
void check_picture(const Report& r) {
  Parsed p;
  parse(r, p);
  if (::testing::Test::HasFatalFailure()) return;
  const XMLElement* svg = p.svg;

  // One column per namespace, each with the seven layers.
  auto columns = all(svg, "g", "column");
  ASSERT_EQ(columns.size(), std::max<size_t>(1, r.namespaces.size()));
  std::set<std::string> names;
  for (const auto* c : columns) {
    names.insert(attr(c, "data-netns"));
    EXPECT_EQ(all(c, "rect", "layer").size(), 7u) << attr(c, "data-netns");
  }
  for (const auto& ns : r.namespaces) EXPECT_TRUE(names.count(ns.name)) << ns.name;

  // Each layer's colour is its status in that namespace.
  for (const auto& ns : r.namespaces)
    for (const auto* cell : all(svg, "g", "cell")) {
      if (attr(cell, "data-netns") != ns.name) continue;
      const auto& s = ns.layers.at(attr(cell, "data-layer"));
      const auto* rect = cell->FirstChildElement("rect");
      ASSERT_TRUE(rect);
      EXPECT_TRUE(has_class(rect, std::string("st-") + to_string(s.status)))
          << ns.name << " " << attr(cell, "data-layer");
    }

  // Every finding at warning or above has one marker, inside its layer's cell of its namespace,
  // linking to the finding.
  std::map<std::string, const XMLElement*> cells;
  for (const auto* cell : all(svg, "g", "cell"))
    cells[attr(cell, "data-netns") + "/" + attr(cell, "data-layer")] =
        cell->FirstChildElement("rect");
  auto markers = all(svg, "g", "marker");
  size_t expected = 0;
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const Finding& f = r.findings[i];
    if (f.severity < Severity::warning) continue;
    ++expected;
    std::string ns = f.place.netns.empty() ? f.netns : f.place.netns;
    if (r.namespaces.empty()) ns = attr(columns[0], "data-netns");
    const XMLElement* m = nullptr;
    for (const auto* c : markers)
      if (c->FirstChildElement("a") &&
          attr(c->FirstChildElement("a"), "href") == "#finding-" + std::to_string(i + 1))
        m = c;
    ASSERT_TRUE(m) << f.id;
    EXPECT_EQ(attr(m, "data-finding"), f.id);
    EXPECT_EQ(attr(m, "data-layer"), to_string(f.layer)) << f.id;
    EXPECT_EQ(attr(m, "data-netns"), ns) << f.id;
    const XMLElement* rect = cells[ns + "/" + to_string(f.layer)];
    ASSERT_TRUE(rect) << ns << " " << f.id;
    const XMLElement* circle = m->FirstChildElement("a")->FirstChildElement("circle");
    ASSERT_TRUE(circle);
    double cx = circle->DoubleAttribute("cx"), cy = circle->DoubleAttribute("cy");
    EXPECT_GE(cx, rect->DoubleAttribute("x"));
    EXPECT_LE(cx, rect->DoubleAttribute("x") + rect->DoubleAttribute("width"));
    EXPECT_GE(cy, rect->DoubleAttribute("y")) << f.id;
    EXPECT_LE(cy, rect->DoubleAttribute("y") + rect->DoubleAttribute("height")) << f.id;
    EXPECT_NE(p.html.find("id=\"finding-" + std::to_string(i + 1) + "\""), std::string::npos);
  }
  EXPECT_EQ(markers.size(), expected);

  // One line per link; one arrow per probe.
  EXPECT_EQ(all(svg, "g", "link").size(), build_path_view(r).links.size());
  EXPECT_EQ(all(svg, "g", "traffic").size(), r.probes.size());

  // No two labels overlap, and all lie inside the picture.
  std::vector<Box> boxes;
  for (const auto* t : all(svg, "text")) boxes.push_back(text_box(t));
  double w = svg->DoubleAttribute("width"), h = svg->DoubleAttribute("height");
  for (size_t i = 0; i < boxes.size(); ++i) {
    EXPECT_GE(boxes[i].x0, 0) << boxes[i].what;
    EXPECT_LE(boxes[i].x1, w) << boxes[i].what;
    EXPECT_GE(boxes[i].y0, 0) << boxes[i].what;
    EXPECT_LE(boxes[i].y1, h) << boxes[i].what;
    for (size_t j = i + 1; j < boxes.size(); ++j)
      EXPECT_FALSE(overlap(boxes[i], boxes[j])) << boxes[i].what << " / " << boxes[j].what;
  }

  // The verdict comes first: before the picture, the probes and the findings.
  size_t verdict = p.html.find("id=\"verdict\"");
  ASSERT_NE(verdict, std::string::npos);
  EXPECT_LT(verdict, p.html.find("<svg"));
  EXPECT_LT(verdict, p.html.find("<h2>Findings"));
  // Self-contained: no scripts, no external fetches.
  EXPECT_EQ(p.html.find("<script"), std::string::npos);
  EXPECT_EQ(p.html.find("http://"), p.html.find("http://www.w3.org/2000/svg"));
  EXPECT_EQ(p.html.find("https://"), std::string::npos);
  EXPECT_NE(p.html.find("prefers-color-scheme:dark"), std::string::npos);
  EXPECT_NE(p.html.find("@media print"), std::string::npos);
}

const Finding* first(const Report& r, const std::string& id) {
  for (const auto& f : r.findings)
    if (f.id == id) return &f;
  return nullptr;
}

}  // namespace

TEST(SvgPath, ClassicThreeCauses) {
  Report r = load_report("three_causes.json");
  ASSERT_EQ(r.namespaces.size(), 2u);
  check_picture(r);
  // The three causes, each at its exact place.
  const Finding* rule = first(r, "netfilter.drop_rule");
  const Finding* mtu = first(r, "link.mtu_low");
  const Finding* tbf = first(r, "qdisc.drops");
  ASSERT_TRUE(rule && mtu && tbf);
  EXPECT_FALSE(rule->place.chain.empty());
  EXPECT_FALSE(rule->place.hook.empty());
  EXPECT_EQ(tbf->place.direction, "egress");
  EXPECT_EQ(mtu->place.mtu, 100u);
  std::string svg = render_path_svg(build_path_view(r));
  EXPECT_NE(svg.find("(hook " + rule->place.hook + ")"), std::string::npos);
  EXPECT_NE(svg.find("on " + tbf->place.dev + " egress"), std::string::npos);
  EXPECT_NE(svg.find("mtu 100"), std::string::npos);
  // The veth pair between the two stacks, both MTUs named.
  ASSERT_EQ(r.links.size(), 1u);
  EXPECT_EQ(r.links[0].kind, "veth");
}

TEST(SvgPath, HealthyPair) {
  Report r = load_report("healthy_pair.json");
  ASSERT_EQ(r.namespaces.size(), 2u);
  check_picture(r);
  std::string html = render_html(r);
  EXPECT_NE(html.find("no packet loss cause found"), std::string::npos);
  EXPECT_EQ(html.find("st-fault\""), std::string::npos);
}

TEST(SvgPath, FourNamespacesOnABridge) {
  Report r = load_report("four_namespaces.json");
  ASSERT_EQ(r.namespaces.size(), 4u);
  check_picture(r);
  size_t bridges = 0;
  for (const auto& l : r.links) bridges += l.kind == "bridge";
  EXPECT_EQ(bridges, 3u);
}

TEST(SvgPath, OldReportWithoutNamespacesIsOneColumn) {
  Report r = load_report("three_causes.json");
  r.namespaces.clear();
  r.links.clear();
  check_picture(r);
}

TEST(SvgPath, HostileNamesAreEscapedAndLongLabelsFit) {
  Report r = load_report("three_causes.json");
  r.namespaces[0].name = "<x&\"y'>";
  for (auto& f : r.findings) {
    f.netns = r.namespaces[0].name;
    f.place = Place{};
    f.object = std::string(300, 'W') + "<script>";
  }
  check_picture(r);
}

TEST(TextPath, TwoStacksSideBySideWhenWide) {
  Report r = load_report("three_causes.json");
  TextStyle style;
  style.width = 120;
  std::string all_text = render_text(r, style);
  // The picture: from its heading to the findings (the other sections do not wrap).
  size_t from = all_text.find("Packet path"), to = all_text.find("Findings (");
  ASSERT_NE(from, std::string::npos);
  std::string out = all_text.substr(from, to - from);
  std::istringstream is(out);
  std::string line;
  bool heads = false, bottom = false;
  size_t box_lines = 0;
  while (std::getline(is, line)) {
    EXPECT_LE(columns_of(line), 120u) << line;
    if (line.find(r.namespaces[0].name + " (probing)") != std::string::npos &&
        line.find(r.namespaces[1].name + " (observed") != std::string::npos)
      heads = true;
    if (line.rfind("  \u2502", 0) == 0) ++box_lines;
    if (line.find("\u2514") != std::string::npos && line.find("veth") != std::string::npos)
      bottom = true;
  }
  EXPECT_TRUE(heads) << out;
  EXPECT_TRUE(bottom) << out;
  EXPECT_GE(box_lines, 7u);
  EXPECT_EQ(box_row_widths(out).size(), 1u) << out;
  // Each cause's marker sits in its layer's row of the server's stack: right half of the line.
  for (const char* id : {"drop_rule: ", "drops: ", "mtu_low: "}) {
    size_t at = out.find(std::string("] ") + id);
    ASSERT_NE(at, std::string::npos) << id << "\n" << out;
    size_t bol = out.rfind('\n', at) + 1;
    EXPECT_GT(columns_of(out.substr(bol, at - bol)), 50u) << id << "\n" << out;
  }
  EXPECT_EQ(all_text.find("Packet path (bottom: wire"), std::string::npos) << "not one column";
}

TEST(TextPath, NarrowTerminalFallsBackToOneColumn) {
  Report r = load_report("three_causes.json");
  TextStyle style;
  style.width = 60;
  std::string out = render_text(r, style);
  EXPECT_NE(out.find("Packet path (bottom: wire"), std::string::npos) << out;
  EXPECT_NE(out.find("netfilter    FAULT"), std::string::npos) << out;
  EXPECT_EQ(out.find("\u250c"), std::string::npos);
  style.width = 0;  // not a terminal
  EXPECT_EQ(render_text(r, style), out);
}

TEST(TextPath, ColourCodesDoNotBreakAlignment) {
  Report r = load_report("four_namespaces.json");
  TextStyle style;
  style.width = 220;
  style.color = true;
  std::string out = render_text(r, style);
  ASSERT_NE(out.find("\033["), std::string::npos);
  EXPECT_EQ(box_row_widths(out).size(), 1u) << out;
}
