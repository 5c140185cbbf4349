// The exposition is parsed back line by line: names, labels and values must be valid per the
// Prometheus text format 0.0.4 and OpenMetrics 1.0.0 whatever the input (rule text and comments
// are hostile: quotes, backslashes, newlines, invalid UTF-8).
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "render/metrics_renderer.h"
#include "rules/engine.h"
#include "serve/layer_counters.h"
#include "serve/monitor.h"

using namespace pktloss;

namespace {

const std::string kHostile = "-A INPUT -m comment --comment \"a\\b\nc\" \xff\xfe -j DROP";

Snapshot sample_snapshot(int sockets = 2) {
  Snapshot s;
  NetnsSnapshot ns;
  ns.name = "srv";
  ns.inode = 42;
  Link l;
  l.name = "eth0";
  l.stats = {};
  l.stats.rx_dropped = 5;
  l.stats.rx_packets = 100;
  l.stats.tx_bytes = 12345678901234ull;
  ns.links.push_back(l);
  Qdisc q;
  q.dev = "eth0";
  q.kind = "netem";
  q.handle = 0x10000;
  q.parent = 0xFFFFFFFFu;
  q.stats.drops = 7;
  q.stats.backlog_bytes = 3000;
  ns.qdiscs.push_back(q);
  FirewallRule r;
  r.backend = "iptables-nft";
  r.family = "ip";
  r.table = "filter";
  r.chain = "INPUT";
  r.handle = 3;
  r.text = kHostile;
  r.verdict = "drop";
  r.has_counter = true;
  r.packets = 11;
  r.bytes = 924;
  ns.firewall.rules.push_back(r);
  FirewallRule acc = r;
  acc.verdict = "accept";
  acc.handle = 4;
  ns.firewall.rules.push_back(acc);
  ns.conntrack.available = true;
  ns.conntrack.count = 10;
  ns.conntrack.max = 65536;
  ns.conntrack.stats = {{"drop", 1}, {"found", 99}, {"insert_failed", 2}};
  ns.snmp = {{"TcpExt.ListenDrops", 3}, {"Udp.RcvbufErrors", 4}, {"Tcp.ActiveOpens", 9}};
  ns.softnet = {{0, 10, 1, 2, 0, 0}, {1, 20, 0, 0, 0, 0}};
  for (int i = 0; i < sockets; ++i) {
    Socket k;
    k.proto = "udp";
    k.state = "UNCONN";
    k.local_addr = "0.0.0.0";
    k.local_port = static_cast<uint16_t>(5000 + i);
    k.remote_addr = "0.0.0.0";
    k.drops = static_cast<uint64_t>(i + 1);
    k.owners.push_back({100 + i, "svc\"x"});
    ns.sockets.push_back(k);
  }
  s.namespaces.push_back(ns);
  return s;
}

Report sample_report() {
  Report r;
  r.window_s = 60;
  Finding f;
  f.id = "netfilter.drop_rule";
  f.layer = Layer::netfilter;
  f.severity = Severity::critical;
  f.netns = "srv";
  f.object = "ip filter INPUT rule 3: \"quoted\" \\ back\nslash";
  r.findings.push_back(f);
  r.layers["netfilter"] = {11, pktloss::LayerStatus::fault};
  r.layers["link"] = {0, pktloss::LayerStatus::ok};
  return r;
}

std::vector<DropEventRow> sample_drops() {
  DropEventRow d;
  d.netns = "srv";
  d.dev = "eth0";
  d.reason = "NETFILTER_DROP";
  d.layer = "netfilter";
  d.packets = 8;
  d.bytes = 800;
  DropEventRow d2 = d;  // same labels, another location: summed
  d2.location = "nf_hook_slow+0x1";
  d2.packets = 2;
  d2.bytes = 200;
  return {d, d2};
}

struct Parsed {
  std::map<std::string, std::string> type;  // family -> type
  std::map<std::string, int> help_count, type_count;
  std::vector<std::string> family_order;  // order families appear
  std::map<std::string, double> samples;  // "name{labels}" -> value
  bool eof = false;
};

// A strict parser for what we emit: fails the test on any malformed line.
Parsed parse(const std::string& text, MetricsFormat fmt) {
  static const std::regex name_re("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex sample_re(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^\\"\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^\\"\n])*")*\})? ([-+0-9.eE]+|NaN|[+-]Inf)$)");
  Parsed p;
  std::istringstream in(text);
  std::string line, current;
  std::set<std::string> closed;
  while (std::getline(in, line)) {
    EXPECT_FALSE(p.eof) << "content after # EOF: " << line;
    if (line == "# EOF") {
      p.eof = true;
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      std::istringstream ls(line.substr(7));
      std::string fam, rest;
      ls >> fam;
      EXPECT_TRUE(std::regex_match(fam, name_re)) << line;
      if (fam != current) {
        EXPECT_EQ(closed.count(fam), 0u) << "family " << fam << " not contiguous";
        if (!current.empty()) closed.insert(current);
        current = fam;
        p.family_order.push_back(fam);
      }
      if (line[2] == 'H') {
        ++p.help_count[fam];
      } else {
        ls >> rest;
        ++p.type_count[fam];
        p.type[fam] = rest;
      }
      continue;
    }
    std::smatch m;
    if (!std::regex_match(line, m, sample_re)) {
      ADD_FAILURE() << "bad sample line: " << line;
      continue;
    }
    std::string name = m[1];
    std::string fam = name;
    if (fmt == MetricsFormat::openmetrics && name.size() > 6 &&
        name.compare(name.size() - 6, 6, "_total") == 0 &&
        p.type.count(name.substr(0, name.size() - 6)))
      fam = name.substr(0, name.size() - 6);
    EXPECT_EQ(fam, current) << "sample outside its family: " << line;
    std::string key = line.substr(0, line.rfind(' '));
    EXPECT_EQ(p.samples.count(key), 0u) << "duplicate series " << key;
    p.samples[key] = std::stod(line.substr(line.rfind(' ') + 1));
  }
  return p;
}

MetricsInput input_for(const Report& r, const Snapshot& s, const std::vector<DropEventRow>& d) {
  MetricsInput in;
  in.report = &r;
  in.snapshot = &s;
  in.drop_totals = &d;
  in.self.version = "0.1.0";
  in.self.collector_up = {{"links", true}, {"firewall", false}};
  in.self.netns_up = {{"srv", true}, {"gone", false}};
  return in;
}

}  // namespace

TEST(MetricsRenderer, PrometheusTextIsValidWithHelpAndTypeOncePerFamily) {
  Report r = sample_report();
  Snapshot s = sample_snapshot();
  auto d = sample_drops();
  MetricsOutput out = render_metrics(input_for(r, s, d), MetricsFormat::prometheus);
  Parsed p = parse(out.text, MetricsFormat::prometheus);
  ASSERT_FALSE(p.family_order.empty());
  for (const auto& fam : p.family_order) {
    EXPECT_EQ(p.help_count[fam], 1) << fam;
    EXPECT_EQ(p.type_count[fam], 1) << fam;
    EXPECT_EQ(fam.rfind("pktloss_", 0), 0u) << fam;
    // Counters end in _total (0.0.4 names the family with the suffix); gauges never do.
    bool total = fam.size() > 6 && fam.compare(fam.size() - 6, 6, "_total") == 0;
    EXPECT_EQ(total, p.type[fam] == "counter") << fam;
  }
  EXPECT_FALSE(p.eof) << "no # EOF in the 0.0.4 format";
  EXPECT_EQ(p.samples.at("pktloss_link_rx_dropped_total{netns=\"srv\",device=\"eth0\"}"), 5);
  EXPECT_EQ(p.samples.at("pktloss_link_tx_bytes_total{netns=\"srv\",device=\"eth0\"}"),
            12345678901234.0);
  EXPECT_EQ(p.samples.at("pktloss_qdisc_drops_total{netns=\"srv\",device=\"eth0\",kind=\"netem\","
                         "handle=\"1:\",parent=\"root\"}"),
            7);
  EXPECT_EQ(p.samples.at("pktloss_netstat_tcpext_listendrops_total{netns=\"srv\"}"), 3);
  EXPECT_EQ(p.samples.count("pktloss_netstat_tcp_activeopens_total{netns=\"srv\"}"), 0u)
      << "only the drop-related protocol counters";
  EXPECT_EQ(p.samples.at("pktloss_conntrack_insert_failed_total{netns=\"srv\"}"), 2);
  EXPECT_EQ(p.samples.at("pktloss_conntrack_entries_limit{netns=\"srv\"}"), 65536);
  EXPECT_EQ(p.samples.at("pktloss_softnet_dropped_total{cpu=\"0\"}"), 1);
  EXPECT_EQ(
      p.samples.at(
          "pktloss_kernel_drops_total{netns=\"srv\",device=\"eth0\",reason=\"NETFILTER_DROP\","
          "layer=\"netfilter\"}"),
      10)
      << "rows differing only by location are summed";
  EXPECT_EQ(p.samples.at("pktloss_collector_up{collector=\"firewall\"}"), 0);
  EXPECT_EQ(p.samples.at("pktloss_netns_up{netns=\"gone\"}"), 0);
  EXPECT_EQ(p.samples.at("pktloss_build_info{version=\"0.1.0\"}"), 1);
  EXPECT_EQ(p.samples.at("pktloss_window_layer_drops{layer=\"netfilter\"}"), 11);
}

TEST(MetricsRenderer, HostileLabelValuesAreEscapedAndValidUtf8) {
  Report r = sample_report();
  Snapshot s = sample_snapshot();
  auto d = sample_drops();
  std::string text = render_metrics(input_for(r, s, d), MetricsFormat::prometheus).text;
  // Rule text: the quote, backslash and newline escaped; the invalid bytes replaced.
  EXPECT_NE(text.find("rule=\"-A INPUT -m comment --comment \\\"a\\\\b\\nc\\\" ?? -j DROP\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("object=\"ip filter INPUT rule 3: \\\"quoted\\\" \\\\ back\\nslash\""),
            std::string::npos);
  EXPECT_NE(text.find("process=\"svc\\\"x\""), std::string::npos);
  EXPECT_EQ(text.find('\xff'), std::string::npos);
  // Only the DROP rule, not the ACCEPT one.
  EXPECT_EQ(text.find("handle=\"4\""), std::string::npos);
  EXPECT_NE(text.find("pktloss_finding{id=\"netfilter.drop_rule\",layer=\"netfilter\","
                      "severity=\"critical\",netns=\"srv\""),
            std::string::npos);
}

TEST(MetricsRenderer, TopNCutIsCountedInSeriesDropped) {
  Report r = sample_report();
  Snapshot s = sample_snapshot(10);
  auto d = sample_drops();
  MetricsInput in = input_for(r, s, d);
  in.limits.max_sockets = 3;
  MetricsOutput out = render_metrics(in, MetricsFormat::prometheus);
  Parsed p = parse(out.text, MetricsFormat::prometheus);
  int kept = 0;
  for (const auto& [k, v] : p.samples)
    if (k.rfind("pktloss_socket_drops_total{", 0) == 0) {
      ++kept;
      EXPECT_GE(v, 8) << "the largest are kept: " << k;
    }
  EXPECT_EQ(kept, 3);
  EXPECT_EQ(p.samples.at("pktloss_series_dropped_total{family=\"pktloss_socket_drops\"}"), 7);
  EXPECT_EQ(out.series_dropped.at("pktloss_socket_drops"), 7u);
  // It is a counter: the next render adds to it.
  in.series_dropped_before = out.series_dropped;
  MetricsOutput again = render_metrics(in, MetricsFormat::prometheus);
  EXPECT_EQ(again.series_dropped.at("pktloss_socket_drops"), 14u);
  // A general per-family limit too.
  in.limits.max_series_per_family = 1;
  in.series_dropped_before.clear();
  Parsed q = parse(render_metrics(in, MetricsFormat::prometheus).text, MetricsFormat::prometheus);
  EXPECT_EQ(q.samples.at("pktloss_series_dropped_total{family=\"pktloss_softnet_dropped\"}"), 1);
}

TEST(MetricsRenderer, OpenMetricsNamesCounterFamiliesWithoutTotalAndEndsWithEof) {
  Report r = sample_report();
  Snapshot s = sample_snapshot();
  auto d = sample_drops();
  MetricsFormat om = MetricsFormat::openmetrics;
  std::string text = render_metrics(input_for(r, s, d), om).text;
  text += render_http_self(HttpSelfStats{3, 1, 2, 0, 0.001}, om);
  text += metrics_trailer(om);
  Parsed p = parse(text, om);
  EXPECT_TRUE(p.eof);
  EXPECT_EQ(text.substr(text.size() - 6), "# EOF\n");
  EXPECT_EQ(p.type.at("pktloss_link_rx_dropped"), "counter");
  EXPECT_EQ(p.type.count("pktloss_link_rx_dropped_total"), 0u);
  EXPECT_EQ(p.samples.at("pktloss_http_requests_total"), 3);
  EXPECT_EQ(p.type.at("pktloss_http_requests"), "counter");
  for (const auto& [fam, t] : p.type) {
    if (t == "counter") {
      EXPECT_NE(fam.substr(fam.size() < 6 ? 0 : fam.size() - 6), "_total") << fam;
    }
  }
}

TEST(MetricsRenderer, FormatNegotiationAndHelpers) {
  EXPECT_EQ(negotiate_metrics_format("application/openmetrics-text;version=1.0.0,application/"
                                     "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0."
                                     "0.4;q=0.5,*/*;q=0.1"),
            MetricsFormat::openmetrics);
  EXPECT_EQ(negotiate_metrics_format("text/plain"), MetricsFormat::prometheus);
  EXPECT_EQ(negotiate_metrics_format(""), MetricsFormat::prometheus);
  EXPECT_NE(metrics_content_type(MetricsFormat::prometheus).find("version=0.0.4"),
            std::string::npos);
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_help("x\\y\nz\"", MetricsFormat::prometheus), "x\\\\y\\nz\"");
  EXPECT_EQ(escape_help("q\"", MetricsFormat::openmetrics), "q\\\"");
  EXPECT_EQ(metric_name_part("TcpExt.ListenDrops"), "tcpext_listendrops");
  EXPECT_EQ(metric_name_part("..x--Y.."), "x_y");
  // Cut on a character boundary: "é" is two bytes and does not fit in the third byte.
  EXPECT_EQ(sanitize_label_text("ab\xc3\xa9", 3), "ab");
  EXPECT_EQ(sanitize_label_text("ab\xc3\xa9", 4), "ab\xc3\xa9");
  EXPECT_EQ(sanitize_label_text("\xed\xa0\x80z", 10), "???z") << "surrogates are not UTF-8";
  EXPECT_EQ(sanitize_label_text("\xc0\xafz", 10), "??z") << "overlong";
}

TEST(Monitor, DropRowsDeltaSubtractsTotalsAndSurvivesRestart) {
  DropEventRow a;
  a.netns_inode = 1;
  a.reason = "NO_SOCKET";
  a.packets = 10;
  a.bytes = 100;
  DropEventRow b = a;
  b.reason = "NETFILTER_DROP";
  b.packets = 5;
  std::vector<DropEventRow> before = {a, b};
  a.packets = 15;
  b.packets = 2;  // went backwards: the tracer restarted; what it counted since then
  DropEventRow c = a;
  c.reason = "OTHERHOST";
  c.packets = 1;
  auto d = drop_rows_delta(before, {a, b, c});
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].reason, "NO_SOCKET");
  EXPECT_EQ(d[0].packets, 5u);
  EXPECT_EQ(d[1].packets, 2u);
  EXPECT_EQ(d[2].packets, 1u);
  EXPECT_TRUE(drop_rows_delta({a}, {a}).empty()) << "rows that did not move are left out";
}

TEST(Monitor, NotesNameTheirCollector) {
  EXPECT_EQ(collector_of_note("links: cannot dump links: x"), "links");
  EXPECT_EQ(collector_of_note("qdiscs: dump failed: x"), "qdiscs");
  EXPECT_EQ(collector_of_note("/proc/net/softnet_stat unreadable: x"), "softnet");
  EXPECT_EQ(collector_of_note("/proc/net/snmp unreadable: x"), "proc");
  EXPECT_EQ(collector_of_note("conntrack: not available (nf_conntrack not loaded or not readable)"),
            "");
  EXPECT_EQ(collector_of_note("tcp sock_diag failed"), "sockets");
  EXPECT_EQ(collector_of_note("something else"), "");
}

TEST(Monitor, LayerDeltasSurviveCounterResets) {
  NetnsSnapshot before, after;
  Link l;
  l.name = "eth0";
  l.stats = {};
  l.stats.rx_dropped = 1000000;
  l.stats.tx_dropped = 10;
  before.links.push_back(l);
  l.stats = {};  // interface re-created: rx went backwards
  l.stats.rx_dropped = 3;
  l.stats.tx_dropped = 12;
  after.links.push_back(l);
  before.snmp = {{"Ip.InDiscards", 5}};
  after.snmp = {{"Ip.InDiscards", 9}, {"Udp.RcvbufErrors", 4}};  // a counter that appeared
  auto d = layer_drop_deltas(before, after);
  EXPECT_EQ(d.at("link"), 3u + 2u);
  EXPECT_EQ(d.at("ip"), 4u);
  EXPECT_EQ(d.at("socket"), 4u);
  EXPECT_EQ(d.count("qdisc"), 0u) << "no qdisc: no number, not a zero";
  EXPECT_EQ(d.count("application"), 0u);
}

TEST(Monitor, RollingWindowEvaluationOfAResetInterfaceIsNotGarbage) {
  // What the monitor hands to the rules: the window-start snapshot and the latest, where the
  // interface was re-created in between (its counters restarted from zero).
  Snapshot before, after;
  NetnsSnapshot ns;
  ns.name = "srv";
  ns.inode = 7;
  Link l;
  l.name = "eth0";
  l.operstate = "up";
  l.admin_up = l.carrier = true;
  l.mtu = 1500;
  l.stats = {};
  l.stats.rx_packets = 50000000;
  l.stats.rx_dropped = 4000000;
  l.stats.tx_packets = 100;
  ns.links.push_back(l);
  before.namespaces.push_back(ns);
  before.monotonic_s = 100;
  ns.links[0].stats = {};
  ns.links[0].stats.rx_packets = 20;
  ns.links[0].stats.rx_dropped = 2;
  ns.links[0].stats.tx_packets = 5;
  after.namespaces.push_back(ns);
  after.monotonic_s = 160;
  Report r = evaluate(&before, after, Observations{}, RuleConfig{});
  for (const auto& f : r.findings) EXPECT_LE(f.volume, 2u) << f.id << " " << f.summary;
  for (const auto& [layer, s] : r.layers) EXPECT_LE(s.drops, 2u) << layer;
  MetricsInput in;
  in.report = &r;
  in.snapshot = &after;
  std::string text = render_metrics(in, MetricsFormat::prometheus).text;
  // Exported values stay the kernel's own.
  EXPECT_NE(text.find("pktloss_link_rx_dropped_total{netns=\"srv\",device=\"eth0\"} 2\n"),
            std::string::npos);
}
