// `check --prometheus FILE` feeds node_exporter's textfile collector: the real node_exporter
// reads the file pktloss wrote and serves the rule's counter and the finding without errors.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "serve_util.h"
#include "testnet.h"

using pktloss::testing::free_port;
using pktloss::testing::http_get;
using pktloss::testing::Process;
using pktloss::testing::sh;
using pktloss::testing::slurp;
using pktloss::testing::TempDir;
using pktloss::testing::TestNet;
using pktloss::testing::wait_until;

namespace {

std::string exporter_binary() {
  for (const char* b : {"prometheus-node-exporter", "node_exporter"})
    if (sh(std::string("command -v ") + b).exit_code == 0) return b;
  return "";
}

}  // namespace

TEST(CheckTextfile, NodeExporterServesTheDropRuleAndItsFinding) {
  const std::string exporter = exporter_binary();
  if (exporter.empty()) GTEST_SKIP() << "prometheus-node-exporter not installed";
  TestNet net;
  net.start_nginx();
  ASSERT_EQ(net.in_server("iptables -A INPUT -m statistic --mode random --probability 0.3 -j DROP")
                .exit_code,
            0);
  TempDir tmp;
  const std::string file = tmp.path() + "/pktloss.prom";
  auto r = net.pktloss_until_done("check -n " + net.server() + " -i 60 --prometheus " + file,
                                  "for i in $(seq 40); do ip netns exec " + net.client() +
                                      " curl -s -o /dev/null -m 1 http://10.77.0.2/; done");
  EXPECT_EQ(r.exit_code, 1) << r.err;  // a warning finding, and the text report still printed
  EXPECT_NE(r.out.find("netfilter.drop_rule"), std::string::npos) << r.out;
  // Written whole and readable by the collector (0644), no temporary file left behind.
  auto listing = sh("ls -A " + tmp.path());
  EXPECT_EQ(listing.out, "pktloss.prom\n");
  auto lint = sh("command -v promtool >/dev/null && promtool check metrics < " + file);
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;

  int port = free_port();
  Process ne({exporter, "--collector.disable-defaults", "--collector.textfile",
              "--collector.textfile.directory=" + tmp.path(),
              "--web.listen-address=127.0.0.1:" + std::to_string(port)},
             tmp.path() + "/ne.out", tmp.path() + "/ne.err");
  pktloss::testing::HttpResult scrape;
  ASSERT_TRUE(wait_until([&] { return (scrape = http_get(port, "/metrics")).status == 200; }, 30))
      << slurp(tmp.path() + "/ne.err");
  EXPECT_NE(scrape.body.find("node_textfile_scrape_error 0"), std::string::npos)
      << slurp(tmp.path() + "/ne.err");
  const std::string ns = "netns=\"" + net.server() + "\"";
  bool finding = false, rule = false;
  std::istringstream lines(scrape.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("pktloss_finding{", 0) == 0 &&
        line.find("netfilter.drop_rule") != std::string::npos && line.find(ns) != std::string::npos)
      finding = true;
    if (line.rfind("pktloss_netfilter_rule_packets_total{", 0) == 0 &&
        line.find(ns) != std::string::npos && line.find("verdict=\"drop\"") != std::string::npos)
      rule = true;
  }
  EXPECT_TRUE(finding) << scrape.body.substr(0, 4000);
  EXPECT_TRUE(rule) << scrape.body.substr(0, 4000);
}

TEST(CheckTextfile, PrometheusToStdoutAndClearErrors) {
  TestNet net;
  auto out = net.pktloss("check -n " + net.server() + " --prometheus -");
  EXPECT_LE(out.exit_code, 1) << out.err;
  EXPECT_NE(out.out.find("# TYPE pktloss_build_info gauge"), std::string::npos) << out.out;
  EXPECT_EQ(out.out.find("pktloss_collect_interval_seconds"), std::string::npos)
      << "a one-shot check has no interval of its own";
  auto both = net.pktloss("check -n " + net.server() + " --prometheus - --json");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("both write to standard output"), std::string::npos) << both.err;
  auto missing = net.pktloss("check -n " + net.server() + " --prometheus /nonexistent-dir/x.prom");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot write /nonexistent-dir/x.prom"), std::string::npos)
      << missing.err;
}
