// The capture report's time-sequence graph: crafted conversations written to pcap, analysed, and
// the SVG parsed with a real XML parser (one mark per segment, retransmissions and lost segments
// marked, the size threshold for an MTU black hole, no overlapping labels); and the recorder's
// bounds.
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <sstream>

#include "capture/seq_recorder.h"
#include "render/html_renderer.h"
#include "render/svg_seq.h"
#include "test_capture_util.h"

using namespace pktloss;
using namespace pktloss::capture::testutil;
using tinyxml2::XMLDocument;
using tinyxml2::XMLElement;

namespace {

bool has_class(const XMLElement* e, const std::string& cls) {
  const char* c = e->Attribute("class");
  if (!c) return false;
  std::istringstream is(c);
  std::string w;
  while (is >> w)
    if (w == cls) return true;
  return false;
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
  const char* t = e->GetText();
  return t ? t : "";
}

struct Box {
  double x0, y0, x1, y1;
  std::string what;
};

// Monospace glyphs are 0.6 em wide; the title is 13 px, everything else 12 px.
Box text_box(const XMLElement* t) {
  double fs = has_class(t, "head") ? 13 : 12;
  double w = text_of(t).size() * fs * 0.6;
  double x = t->DoubleAttribute("x"), y = t->DoubleAttribute("y");
  std::string anchor = t->Attribute("text-anchor") ? t->Attribute("text-anchor") : "start";
  double x0 = anchor == "end" ? x - w : anchor == "middle" ? x - w / 2 : x;
  return {x0, y - fs * 0.8, x0 + w, y + fs * 0.2, text_of(t)};
}

void expect_labels_apart(const XMLElement* svg) {
  std::vector<Box> boxes;
  for (const auto* t : all(svg, "text")) boxes.push_back(text_box(t));
  double w = svg->DoubleAttribute("width"), h = svg->DoubleAttribute("height");
  for (size_t i = 0; i < boxes.size(); ++i) {
    EXPECT_GE(boxes[i].x0, 0) << boxes[i].what;
    EXPECT_LE(boxes[i].x1, w) << boxes[i].what;
    EXPECT_GE(boxes[i].y0, 0) << boxes[i].what;
    EXPECT_LE(boxes[i].y1, h) << boxes[i].what;
    for (size_t j = i + 1; j < boxes.size(); ++j) {
      const Box &a = boxes[i], &b = boxes[j];
      EXPECT_FALSE(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1)
          << "'" << a.what << "' overlaps '" << b.what << "'";
    }
  }
}

// Small segments delivered, two big ones sent three times and never acknowledged.
std::vector<Frame> mtu_black_hole() {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2", 40000, 22);
  c.handshake();
  for (int i = 0; i < 5; ++i) {
    c.client_data(40);
    c.ack_from_server();
  }
  uint32_t ack_point = c.client_seq();
  uint32_t big1 = c.client_data(1400);
  uint32_t big2 = c.client_data(1400);
  c.ack_from_server(ack_point);
  c.client_retransmit(big1, 1400);
  c.client_retransmit(big2, 1400);
  c.ack_from_server(ack_point);
  c.client_retransmit(big1, 1400);
  return f;
}

// One segment lost among ten, SACKed around, retransmitted and then acknowledged.
std::vector<Frame> sack_recovery() {
  std::vector<Frame> f;
  TcpConv c(f, "10.0.0.1", "10.0.0.2");
  c.handshake();
  uint32_t start = c.client_seq();
  std::vector<uint32_t> at;
  for (int i = 0; i < 10; ++i) at.push_back(c.client_data(1000));
  uint32_t end = c.client_seq();
  c.ack_from_server(at[3]);
  c.sack_from_server(at[3], at[4], end);
  c.sack_from_server(at[3], at[4], end);
  c.client_retransmit(at[3], 1000);
  c.ack_from_server(end);
  (void)start;
  return f;
}

struct Graph {
  std::string svg;
  XMLDocument doc;
  const XMLElement* root = nullptr;
};

void draw(const FlowReport& flow, Graph& g) {
  g.svg = render_seq_svg(flow);
  ASSERT_FALSE(g.svg.empty());
  ASSERT_EQ(g.doc.Parse(g.svg.c_str()), tinyxml2::XML_SUCCESS) << g.doc.ErrorStr();
  g.root = g.doc.RootElement();
  ASSERT_STREQ(g.root->Name(), "svg");
  EXPECT_TRUE(has_class(g.root, "seq"));
}

}  // namespace

TEST(SeqGraph, MtuBlackHoleShowsEverySegmentRetransmissionsAndTheThreshold) {
  auto a = analyse_frames(mtu_black_hole());
  ASSERT_EQ(a.flows.size(), 1u);
  const FlowReport& flow = a.flows[0];
  ASSERT_EQ(flow.verdict.kind, "size_dependent_loss") << flow.verdict.verdict;
  ASSERT_TRUE(flow.seq_trace);
  const SeqTrace& tr = *flow.seq_trace;
  EXPECT_EQ(tr.direction, "client->server");
  EXPECT_EQ(tr.omitted, 0u);
  EXPECT_EQ(tr.max_delivered_size, 80u);
  EXPECT_EQ(tr.min_lost_size, 1440u);
  size_t data = 0, retx = 0, lost = 0, acks = 0;
  for (const auto& e : tr.events) {
    data += e.kind == SeqEvent::Kind::data;
    retx += e.kind == SeqEvent::Kind::retransmit;
    acks += e.kind == SeqEvent::Kind::ack;
    lost += e.fate == SeqEvent::Fate::lost;
    if (e.kind == SeqEvent::Kind::data && e.size == 80) {
      EXPECT_EQ(e.fate, SeqEvent::Fate::delivered);
    }
  }
  EXPECT_EQ(data, 7u);
  EXPECT_EQ(retx, 3u);
  EXPECT_EQ(lost, 5u);  // both big segments and their three retransmissions
  EXPECT_GE(acks, 6u);  // the SYN-ACK's and one per small segment

  Graph g;
  draw(flow, g);
  if (HasFatalFailure()) return;
  auto segs = all(g.root, "path", "seg");
  EXPECT_EQ(segs.size(), 10u);
  EXPECT_EQ(g.root->IntAttribute("data-segments"), 10);
  EXPECT_EQ(all(g.root, "path", "retx").size(), 3u);
  EXPECT_EQ(all(g.root, "path", "lost").size(), 5u);
  EXPECT_EQ(all(g.root, "path", "delivered").size(), 5u);
  // Retransmissions are drawn after (above) the first transmission, later in time.
  for (const auto* s : all(g.root, "path", "retx")) EXPECT_TRUE(has_class(s, "lost"));
  EXPECT_EQ(all(g.root, "path", "ack").size(), 1u);
  auto thr = all(g.root, "line", "threshold");
  ASSERT_EQ(thr.size(), 1u);
  EXPECT_EQ(thr[0]->IntAttribute("data-size"), 80);
  EXPECT_EQ(all(g.root, "text", "threshold-label").size(), 1u);
  // Axes with their tick labels.
  ASSERT_EQ(all(g.root, "g", "x").size(), 1u);
  ASSERT_EQ(all(g.root, "g", "y").size(), 1u);
  EXPECT_GE(all(all(g.root, "g", "x")[0], "text", "tick").size(), 2u);
  EXPECT_GE(all(all(g.root, "g", "y")[0], "text", "tick").size(), 2u);
  // Every size dot inside the size panel (the second plot frame).
  auto frames = all(g.root, "rect", "plot");
  ASSERT_EQ(frames.size(), 2u);
  double ztop = frames[1]->DoubleAttribute("y"), zh = frames[1]->DoubleAttribute("height");
  auto dots = all(g.root, "circle", "sz");
  EXPECT_EQ(dots.size(), 10u);
  for (const auto* d : dots) {
    EXPECT_GE(d->DoubleAttribute("cy"), ztop);
    EXPECT_LE(d->DoubleAttribute("cy"), ztop + zh);
  }
  EXPECT_GT(thr[0]->DoubleAttribute("y1"), ztop);
  EXPECT_LT(thr[0]->DoubleAttribute("y1"), ztop + zh);

  expect_labels_apart(g.root);
}

TEST(SeqGraph, SackRecoveryDrawsSackBlocksAndNoThreshold) {
  auto a = analyse_frames(sack_recovery());
  ASSERT_EQ(a.flows.size(), 1u);
  const FlowReport& flow = a.flows[0];
  EXPECT_EQ(flow.verdict.kind, "retransmits") << flow.verdict.verdict;
  ASSERT_TRUE(flow.seq_trace);
  Graph g;
  draw(flow, g);
  if (HasFatalFailure()) return;
  EXPECT_EQ(all(g.root, "path", "seg").size(), 11u);
  EXPECT_EQ(all(g.root, "path", "retx").size(), 1u);
  EXPECT_EQ(all(g.root, "path", "lost").size(), 0u);
  EXPECT_EQ(all(g.root, "line", "sack").size(), 2u);
  EXPECT_EQ(all(g.root, "line", "threshold").size(), 0u);
  expect_labels_apart(g.root);
}

TEST(SeqGraph, HealthyFlowHasNoGraph) {
  std::vector<Frame> f;
  TcpConv c(f, "10.77.0.1", "10.77.0.2");
  c.handshake();
  c.client_data(80);
  c.ack_from_server();
  c.client_fin();
  c.server_fin();
  c.ack_from_client();
  auto a = analyse_frames(f);
  ASSERT_EQ(a.flows.size(), 1u);
  EXPECT_FALSE(a.flows[0].seq_trace);
  EXPECT_EQ(render_seq_svg(a.flows[0]), "");
  Report r;
  r.capture = a;
  EXPECT_EQ(render_html(r).find("Time-sequence"), std::string::npos);
}

TEST(SeqGraph, HtmlReportEmbedsTheGraphAsWellFormedXml) {
  Report r;
  r.capture = analyse_frames(mtu_black_hole());
  r.capture_source = "file.pcap";
  std::string html = render_html(r);
  XMLDocument doc;
  ASSERT_EQ(doc.Parse(html.c_str()), tinyxml2::XML_SUCCESS) << doc.ErrorStr();
  auto svgs = all(doc.RootElement(), "svg", "seq");
  ASSERT_EQ(svgs.size(), 1u);
  EXPECT_NE(html.find("svg.seq path.seg.retx"), std::string::npos);  // styled by the page
  EXPECT_NE(html.find("prefers-color-scheme:dark"), std::string::npos);
}

TEST(SeqGraph, StandaloneFileCarriesItsStylesheet) {
  auto a = analyse_frames(mtu_black_hole());
  ASSERT_EQ(a.flows.size(), 1u);
  std::string svg = render_seq_svg_file(a.flows[0]);
  XMLDocument doc;
  ASSERT_EQ(doc.Parse(svg.c_str()), tinyxml2::XML_SUCCESS) << doc.ErrorStr();
  ASSERT_STREQ(doc.RootElement()->Name(), "svg");
  ASSERT_TRUE(doc.RootElement()->FirstChildElement("style"));
  EXPECT_NE(svg.find("--fg:"), std::string::npos);
  EXPECT_NE(svg.find("prefers-color-scheme:dark"), std::string::npos);
  EXPECT_EQ(all(doc.RootElement(), "path", "seg").size(), 10u);
}

// A long flow: the first events, those around the retransmission and the last are kept, the
// rest counted; memory stays within the per-direction cap.
TEST(SeqRecorder, KeepsHeadContextAndTailWithinItsCap) {
  capture::TraceBudget budget{1'000'000, 0};
  capture::SeqRecorder rec;
  const size_t n = 20000, retx_at = 10000;
  for (size_t i = 0; i < n; ++i) {
    SeqEvent e;
    e.ts_ns = i;
    e.seq = static_cast<uint32_t>(i * 100);
    e.end = e.seq + 100;
    e.kind = i == retx_at ? SeqEvent::Kind::retransmit : SeqEvent::Kind::data;
    rec.add(e, i == retx_at, budget);
  }
  auto ev = rec.events();
  EXPECT_LE(ev.size(), capture::SeqRecorder::kMax + capture::SeqRecorder::kRing);
  EXPECT_EQ(ev.size() + rec.omitted(), n);
  EXPECT_EQ(ev.front().ts_ns, 0u);
  EXPECT_EQ(ev.back().ts_ns, n - 1);
  bool before = false, at = false, after = false;
  for (const auto& e : ev) {
    before |= e.ts_ns == retx_at - 100;
    at |= e.ts_ns == retx_at;
    after |= e.ts_ns == retx_at + 100;
  }
  EXPECT_TRUE(before && at && after);
  for (size_t i = 1; i < ev.size(); ++i) EXPECT_LT(ev[i - 1].ts_ns, ev[i].ts_ns);
  EXPECT_EQ(budget.left, 1'000'000 - ev.size());
  rec.release(budget);
  EXPECT_EQ(budget.left, 1'000'000u);
}

// The capture-wide budget: once spent, the rest is counted and said, never stored.
TEST(SeqRecorder, CaptureWideBudgetIsSaidWhenSpent) {
  capture::AnalyserConfig cfg;
  cfg.max_trace_events = 8;
  std::string path = temp_path("budget.pcap");
  write_frames(path, mtu_black_hole());
  capture::FlowAnalyser an(cfg);
  capture::read_capture_file(path, an);
  unlink(path.c_str());
  auto a = an.finish();
  ASSERT_EQ(a.flows.size(), 1u);
  ASSERT_TRUE(a.flows[0].seq_trace);
  EXPECT_LE(a.flows[0].seq_trace->events.size(), 8u);
  EXPECT_GT(a.flows[0].seq_trace->omitted, 0u);
  EXPECT_GT(a.seq_trace_budget_omitted, 0u);
  bool noted = false;
  for (const auto& n : a.notes) noted |= n.find("sequence graphs") != std::string::npos;
  EXPECT_TRUE(noted);
  Graph g;
  draw(a.flows[0], g);
  if (HasFatalFailure()) return;
  EXPECT_EQ(all(g.root, "text", "capped").size(), 1u);
  expect_labels_apart(g.root);
}
