// pktloss serve end to end: a real Prometheus scrapes it (1 s) while a real DROP rule in a test
// namespace is hit by real traffic; PromQL over Prometheus's HTTP API sees the rule's counter
// rise and the finding appear, then the finding go once the rule is gone. And hostile clients
// (slowloris, a 1 MB header, garbage, 100 connections) never stop a real scrape.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "serve_util.h"
#include "testnet.h"

using nlohmann::json;
using pktloss::testing::free_port;
using pktloss::testing::http_get;
using pktloss::testing::Process;
using pktloss::testing::sh;
using pktloss::testing::slurp;
using pktloss::testing::TempDir;
using pktloss::testing::TestNet;
using pktloss::testing::wait_until;

namespace {

// Instant PromQL query over the HTTP API: the result vector (empty on any error).
json promql(int port, const std::string& query) {
  auto r = sh("curl -s -m 3 -G http://127.0.0.1:" + std::to_string(port) +
                  "/api/v1/query --data-urlencode 'query=" + query + "'",
              10);
  json j = json::parse(r.out, nullptr, false);
  if (j.is_discarded() || j.value("status", "") != "success") return json::array();
  return j["data"]["result"];
}

double first_value(const json& result) {
  if (!result.is_array() || result.empty()) return -1;
  return std::stod(result[0]["value"][1].get<std::string>());
}

int start_serve_port(const std::string& err) {
  return pktloss::testing::wait_for_listen_port(err, 30);
}

}  // namespace

TEST(Serve, RealPrometheusSeesDropRuleCounterAndFindingComeAndGo) {
  if (sh("command -v prometheus && command -v promtool").exit_code != 0)
    GTEST_SKIP() << "prometheus not installed (scripts/install-deps.sh)";
  TestNet net;
  net.start_nginx();
  TempDir tmp;
  Process serve({PKTLOSS_BINARY, "serve", "--listen", "127.0.0.1:0", "-n", net.server(),
                 "--interval", "1", "--window", "4"},
                tmp.path() + "/serve.out", tmp.path() + "/serve.err");
  int port = start_serve_port(tmp.path() + "/serve.err");
  ASSERT_GT(port, 0) << slurp(tmp.path() + "/serve.err");

  // The exposition itself passes promtool's linter, in the format Prometheus 0.0.4 text.
  // Listening comes first; /metrics answers 503 until the first collection is published.
  pktloss::testing::HttpResult scrape;
  wait_until([&] { return (scrape = http_get(port, "/metrics")).status == 200; }, 30);
  ASSERT_EQ(scrape.status, 200) << scrape.headers;
  EXPECT_NE(scrape.headers.find("text/plain; version=0.0.4"), std::string::npos);
  {
    std::ofstream(tmp.path() + "/scrape.txt") << scrape.body;
    auto lint = sh("promtool check metrics < " + tmp.path() + "/scrape.txt");
    EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
    EXPECT_EQ(lint.out + lint.err, "") << "no lint problem";
  }
  auto om = http_get(port, "/metrics", "Accept: application/openmetrics-text;version=1.0.0\r\n");
  EXPECT_NE(om.headers.find("application/openmetrics-text"), std::string::npos);
  EXPECT_EQ(om.body.substr(om.body.size() - 6), "# EOF\n");
  EXPECT_EQ(http_get(port, "/-/healthy").status, 200);
  EXPECT_NE(http_get(port, "/").body.find("/metrics"), std::string::npos);

  int prom_port = free_port();
  std::ofstream(tmp.path() + "/prometheus.yml")
      << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
      << "scrape_configs:\n  - job_name: pktloss\n    static_configs:\n"
      << "      - targets: ['127.0.0.1:" << port << "']\n";
  Process prom({"prometheus", "--config.file=" + tmp.path() + "/prometheus.yml",
                "--storage.tsdb.path=" + tmp.path() + "/data",
                "--web.listen-address=127.0.0.1:" + std::to_string(prom_port), "--log.level=warn"},
               tmp.path() + "/prom.out", tmp.path() + "/prom.err");
  ASSERT_TRUE(wait_until([&] { return http_get(prom_port, "/-/ready", "", 1).status == 200; }, 30))
      << slurp(tmp.path() + "/prom.err");
  const std::string up = "up{job=\"pktloss\"}";
  ASSERT_TRUE(wait_until([&] { return first_value(promql(prom_port, up)) == 1; }, 20))
      << "Prometheus never scraped pktloss: " << slurp(tmp.path() + "/prom.err");

  // The fault: 30% of the server's input dropped, hit by a stream of HTTP requests.
  ASSERT_EQ(net.in_server("iptables -A INPUT -m statistic --mode random --probability 0.3 -j DROP")
                .exit_code,
            0);
  net.spawn(net.client(),
            "while true; do curl -s -o /dev/null -m 1 http://10.77.0.2/; sleep 0.05; done");
  const std::string ns = net.server();
  const std::string rising =
      "increase(pktloss_netfilter_rule_packets_total{netns=\"" + ns + "\",verdict=\"drop\"}[10s])";
  EXPECT_TRUE(wait_until([&] { return first_value(promql(prom_port, rising)) > 0; }, 30))
      << "the rule's counter never rose in Prometheus";
  const std::string finding = "pktloss_finding{id=\"netfilter.drop_rule\",netns=\"" + ns + "\"}";
  EXPECT_TRUE(wait_until([&] { return !promql(prom_port, finding).empty(); }, 30))
      << "finding never present in Prometheus";
  json f = promql(prom_port, finding);
  if (!f.empty()) {
    EXPECT_EQ(f[0]["metric"].value("layer", ""), "netfilter");
    EXPECT_EQ(f[0]["metric"].value("severity", ""), "critical");
  }

  // The index page's time line shows the netfilter layer dropping (its lane has a peak).
  auto netfilter_lane = [&] {
    std::string page = http_get(port, "/").body;
    size_t at = page.find("data-layer=\"netfilter\"");
    if (at == std::string::npos) return std::string();
    return page.substr(at, page.find("</g>", at) - at);
  };
  EXPECT_TRUE(wait_until(
      [&] { return netfilter_lane().find("class=\"peak hot\"") != std::string::npos; }, 20))
      << netfilter_lane();

  // The eBPF tracer (when this kernel allows it) counts the same drops by reason and layer.
  if (first_value(promql(prom_port, "pktloss_collector_up{collector=\"trace\"}")) == 1) {
    const std::string kernel = "sum(pktloss_kernel_drops_total{netns=\"" + ns +
                               "\",layer=\"netfilter\",reason=\"NETFILTER_DROP\"})";
    EXPECT_TRUE(wait_until([&] { return first_value(promql(prom_port, kernel)) > 0; }, 20))
        << "no kernel NETFILTER_DROP drops for the namespace";
  } else {
    std::cerr << "kernel drop tracer unavailable here; pktloss_kernel_drops_total not checked\n";
  }

  // The fault removed: once the window (4 s) has passed, the finding is gone from the scrape
  // and Prometheus marks the series stale.
  ASSERT_EQ(net.in_server("iptables -D INPUT -m statistic --mode random --probability 0.3 -j DROP")
                .exit_code,
            0);
  EXPECT_TRUE(wait_until([&] { return promql(prom_port, finding).empty(); }, 30))
      << "finding still present after the fault was removed";
  EXPECT_TRUE(serve.running()) << slurp(tmp.path() + "/serve.err");
  EXPECT_EQ(serve.stop(), 0) << "clean exit on SIGTERM";
}

namespace {

int connect_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends without blocking forever (the server may stop reading or close).
void send_some(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, 200) <= 0) return;
    ssize_t n = send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

TEST(Serve, HostileClientsNeverBlockARealScrapeNorGrowMemory) {
  // 140 attacker threads against one real client: on a TCG guest's two emulated CPUs the client
  // itself is starved (seen: a scrape that took 4.3 s to send its request), so the bound below
  // would measure the emulator. The host's run in CI is the one that judges the server.
  if (const char* accel = std::getenv("PKTLOSS_VM_ACCEL"); accel && std::string(accel) == "tcg")
    GTEST_SKIP() << "timing bound for real CPUs; under TCG the attackers starve the client";
  TempDir tmp;
  Process serve(
      {PKTLOSS_BINARY, "serve", "--listen", "127.0.0.1:0", "--interval", "1", "--no-trace"},
      tmp.path() + "/serve.out", tmp.path() + "/serve.err");
  int port = start_serve_port(tmp.path() + "/serve.err");
  ASSERT_GT(port, 0) << slurp(tmp.path() + "/serve.err");
  ASSERT_TRUE(wait_until([&] { return http_get(port, "/metrics").status == 200; }, 30));
  // Warm up (allocator arenas, thread stacks) before the baseline.
  for (int i = 0; i < 20; ++i) http_get(port, "/metrics");
  long rss0 = pktloss::testing::rss_kb(serve.pid());

  std::atomic<bool> stop{false};
  std::vector<std::thread> attackers;
  // 60 slowloris: a request line, then one header byte every 300 ms, reconnecting when closed.
  for (int i = 0; i < 60; ++i)
    attackers.emplace_back([&, i] {
      while (!stop) {
        int fd = connect_loopback(port);
        if (fd < 0) continue;
        send_some(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow-" + std::to_string(i) + ": ");
        while (!stop) {
          pollfd p{fd, POLLIN, 0};
          if (poll(&p, 1, 300) > 0) break;  // closed (or answered): reconnect
          if (send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT) <= 0) break;
        }
        close(fd);
      }
    });
  // 20 that connect and never send anything.
  for (int i = 0; i < 20; ++i)
    attackers.emplace_back([&] {
      while (!stop) {
        int fd = connect_loopback(port);
        pollfd p{fd, POLLIN, 0};
        while (!stop && poll(&p, 1, 200) == 0) {
        }
        if (fd >= 0) close(fd);
      }
    });
  // 10 sending a 1 MB header, 10 sending garbage bytes, in a loop.
  const std::string big =
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(1 << 20, 'A') + "\r\n\r\n";
  std::string garbage;
  for (int i = 0; i < 65536; ++i) garbage += static_cast<char>((i * 7919 + 13) & 0xFF);
  for (int i = 0; i < 20; ++i)
    attackers.emplace_back([&, i] {
      while (!stop) {
        int fd = connect_loopback(port);
        if (fd < 0) continue;
        send_some(fd, i < 10 ? big : garbage);
        char buf[4096];
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 500) > 0 && recv(fd, buf, sizeof buf, MSG_DONTWAIT) < 0) {
        }
        close(fd);
      }
    });
  std::this_thread::sleep_for(std::chrono::seconds(2));

  // Real scrapes meanwhile: every one answered, quickly.
  double worst = 0;
  int ok = 0;
  std::string failed;
  for (int i = 0; i < 10; ++i) {
    auto r = http_get(port, "/metrics", "", 5);
    if (r.status == 200 && r.body.find("pktloss_build_info") != std::string::npos)
      ++ok;
    else
      failed += " [status " + std::to_string(r.status) + " after " + std::to_string(r.seconds) +
                " s, " + std::to_string(r.body.size()) + " bytes]";
    worst = std::max(worst, r.seconds);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  long rss1 = pktloss::testing::rss_kb(serve.pid());
  stop = true;
  for (auto& t : attackers) t.join();
  EXPECT_EQ(ok, 10) << "real scrapes answered while under attack; failed:" << failed;
  EXPECT_LT(worst, 1.5) << "slowest real scrape (s)";
  EXPECT_LT(rss1 - rss0, 30 * 1024) << "RSS grew from " << rss0 << " kB to " << rss1 << " kB";
  auto after = http_get(port, "/metrics");
  EXPECT_EQ(after.status, 200);
  EXPECT_NE(after.body.find("pktloss_http_connections_evicted_total"), std::string::npos);
  std::cerr << "hostile: worst real scrape " << worst << " s, RSS " << rss0 << " -> " << rss1
            << " kB\n"
            << after.body.substr(after.body.find("# HELP pktloss_http_requests")) << "\n";
  EXPECT_TRUE(serve.running());
}

namespace {

// Namespaces this test creates and deletes itself (removed at scope exit whatever happens).
struct OwnNamespaces {
  std::vector<std::string> names;
  explicit OwnNamespaces(const std::string& tag) {
    for (const char* s : {"a", "b", "c"})
      names.push_back("plsrv" + std::to_string(getpid()) + tag + s);
  }
  ~OwnNamespaces() {
    for (const auto& n : names) sh("ip netns del " + n + " 2>/dev/null");
  }
};

bool has_line(int port, const std::string& line) {
  auto r = http_get(port, "/metrics", "", 3);
  return r.status == 200 && r.body.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST(Serve, NamespacesThatAppearOrVanishArePickedUpWithoutRestart) {
  OwnNamespaces ns("n");
  const std::string &a = ns.names[0], &b = ns.names[1], &c = ns.names[2];
  ASSERT_EQ(sh("ip netns add " + a).exit_code, 0);
  TempDir tmp;
  // -n: b does not exist yet; a vanishes later. Neither is an exit.
  Process named({PKTLOSS_BINARY, "serve", "--listen", "127.0.0.1:0", "-n", a, "-n", b, "--interval",
                 "0.5", "--no-trace"},
                tmp.path() + "/n.out", tmp.path() + "/n.err");
  int port = pktloss::testing::wait_for_listen_port(tmp.path() + "/n.err", 30);
  ASSERT_GT(port, 0) << slurp(tmp.path() + "/n.err");
  EXPECT_TRUE(
      wait_until([&] { return has_line(port, "pktloss_netns_up{netns=\"" + a + "\"} 1"); }, 15));
  EXPECT_TRUE(has_line(port, "pktloss_netns_up{netns=\"" + b + "\"} 0"));
  EXPECT_TRUE(has_line(port, "pktloss_collector_up{collector=\"netns\"} 0"));
  ASSERT_EQ(sh("ip netns add " + b).exit_code, 0);
  EXPECT_TRUE(
      wait_until([&] { return has_line(port, "pktloss_netns_up{netns=\"" + b + "\"} 1"); }, 10));
  ASSERT_EQ(sh("ip netns del " + a).exit_code, 0);
  EXPECT_TRUE(
      wait_until([&] { return has_line(port, "pktloss_netns_up{netns=\"" + a + "\"} 0"); }, 10));
  EXPECT_TRUE(named.running()) << slurp(tmp.path() + "/n.err");

  // --all-netns: re-discovered every interval.
  Process all({PKTLOSS_BINARY, "serve", "--listen", "127.0.0.1:0", "--all-netns", "--interval",
               "0.5", "--no-trace", "--no-sockets"},
              tmp.path() + "/a.out", tmp.path() + "/a.err");
  int port2 = pktloss::testing::wait_for_listen_port(tmp.path() + "/a.err", 30);
  ASSERT_GT(port2, 0) << slurp(tmp.path() + "/a.err");
  ASSERT_EQ(sh("ip netns add " + c).exit_code, 0);
  EXPECT_TRUE(
      wait_until([&] { return has_line(port2, "pktloss_netns_up{netns=\"" + c + "\"} 1"); }, 20));
  ASSERT_EQ(sh("ip netns del " + c).exit_code, 0);
  EXPECT_TRUE(wait_until(
      [&] {
        auto r = http_get(port2, "/metrics", "", 3);
        return r.status == 200 && r.body.find("netns=\"" + c + "\"") == std::string::npos;
      },
      20))
      << "a vanished namespace is dropped from --all-netns";
  EXPECT_TRUE(all.running());
}

TEST(Serve, ContribAlertRulesAndUnitPassTheirCheckers) {
  if (sh("command -v promtool").exit_code != 0) GTEST_SKIP() << "promtool not installed";
  const std::string dir = std::string(PKTLOSS_SOURCE_DIR) + "/contrib";
  auto check = sh("promtool check rules " + dir + "/prometheus/alerts.yml");
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  auto unit = sh("cd " + dir + "/prometheus && promtool test rules alerts_test.yml");
  EXPECT_EQ(unit.exit_code, 0) << unit.out << unit.err;
  auto cfg = sh("cd " + dir + "/prometheus && promtool check config prometheus.yml");
  EXPECT_EQ(cfg.exit_code, 0) << cfg.out << cfg.err;
  if (sh("command -v systemd-analyze").exit_code == 0) {
    // The only complaint allowed: the binary is not installed at /usr/local/bin on this box.
    auto v = sh("systemd-analyze verify " + dir + "/systemd/pktloss.service 2>&1");
    std::istringstream in(v.out);
    std::string line;
    while (std::getline(in, line))
      EXPECT_NE(line.find("/usr/local/bin/pktloss is not executable"), std::string::npos) << line;
  }
}
