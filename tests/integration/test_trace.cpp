// `pktloss trace` against real faults in two namespaces: each test starts the tracer, waits until
// it is attached, injects one fault with real traffic, stops the tracer (SIGTERM) and asserts the
// reason, the location class, the layer, the finding id and the right netns / interface.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "testnet.h"

using pktloss::testing::CommandResult;
using pktloss::testing::sh;
using pktloss::testing::sh_ok;
using pktloss::testing::TestNet;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// `pktloss trace ARGS --json -d 0` in the background until finish().
class TraceRun {
 public:
  TraceRun(const TestNet& net, const std::string& args) : dir_(net.workdir()) {
    sh_ok(std::string(PKTLOSS_BINARY) + " trace " + args + " --json -d 0 >" + dir_ +
          "/trace.json 2>" + dir_ + "/trace.err </dev/null & echo $! >" + dir_ + "/trace.pid");
    pid_ = std::atoi(slurp(dir_ + "/trace.pid").c_str());
    for (int i = 0; i < 300; i++) {  // BTF + kallsyms + load: well under a second when idle
      if (slurp(dir_ + "/trace.err").find("tracing kfree_skb") != std::string::npos) {
        attached_ = true;
        return;
      }
      if (pid_ > 0 && kill(pid_, 0) != 0) break;
      usleep(100000);
    }
  }
  ~TraceRun() {
    if (pid_ > 0) kill(pid_, SIGKILL);
  }
  bool attached() const { return attached_; }
  std::string err() const { return slurp(dir_ + "/trace.err"); }

  nlohmann::json finish() {
    if (pid_ > 0) kill(pid_, SIGTERM);
    for (int i = 0; i < 200 && pid_ > 0 && kill(pid_, 0) == 0; i++) usleep(100000);
    pid_ = 0;
    std::string out = slurp(dir_ + "/trace.json");
    auto j = nlohmann::json::parse(out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << out << err();
    return j;
  }

 private:
  std::string dir_;
  int pid_ = 0;
  bool attached_ = false;
};

std::vector<nlohmann::json> rows_with_reason(const nlohmann::json& report,
                                             const std::string& reason) {
  std::vector<nlohmann::json> out;
  if (!report.is_object()) return out;
  for (const auto& r : report.value("drop_events", nlohmann::json::array()))
    if (r.value("reason", "") == reason) out.push_back(r);
  return out;
}

uint64_t sum_packets(const std::vector<nlohmann::json>& rows) {
  uint64_t n = 0;
  for (const auto& r : rows) n += r.value("packets", 0ull);
  return n;
}

// One /proc/net/snmp counter ("Udp", "RcvbufErrors") as seen inside a namespace.
uint64_t snmp(const std::string& ns, const std::string& proto, const std::string& name) {
  auto r = sh("ip netns exec " + ns + " awk '$1==\"" + proto +
              ":\" { if (!h) { for (i=2;i<=NF;i++) if ($i==\"" + name +
              "\") c=i; h=1 } else print $c }' /proc/net/snmp");
  return std::strtoull(r.out.c_str(), nullptr, 10);
}

void expect_row(const nlohmann::json& row, const std::string& location_prefix,
                const std::string& layer, const std::string& finding_id, const std::string& ns) {
  EXPECT_EQ(row.value("location", "").rfind(location_prefix, 0), 0u) << row.dump();
  EXPECT_EQ(row.value("layer", ""), layer) << row.dump();
  EXPECT_EQ(row.value("finding_id", ""), finding_id) << row.dump();
  EXPECT_EQ(row.value("netns", ""), ns) << row.dump();
  EXPECT_EQ(row.value("dev", ""), "eth0") << row.dump();
}

}  // namespace

TEST(Trace, DropRuleIsNetfilterDropInNftDoChainCountedExactly) {
  TestNet net;
  sh_ok("ip netns exec " + net.server() + " iptables -A INPUT -p udp --dport 7777 -j DROP");
  TraceRun t(net, "-n " + net.server() + " --flows");
  ASSERT_TRUE(t.attached()) << t.err();
  net.in_client("for i in $(seq 20); do echo drop > /dev/udp/10.77.0.2/7777; done");
  auto report = t.finish();
  auto rows = rows_with_reason(report, "NETFILTER_DROP");
  ASSERT_FALSE(rows.empty()) << report.dump(2);
  for (const auto& r : rows) {
    // iptables here is the nft backend; the legacy one drops in ipt_do_table.
    std::string loc = r.value("location", "");
    EXPECT_TRUE(loc.rfind("nft_do_chain", 0) == 0 || loc.rfind("ipt_do_table", 0) == 0) << loc;
    expect_row(r, loc.substr(0, 3), "netfilter", "netfilter.drop_rule", net.server());
    EXPECT_NE(r.value("flow", "").find("-> 10.77.0.2:7777"), std::string::npos) << r.dump();
  }
  auto counter = net.in_server("iptables -L INPUT -v -x -n | awk '/dpt:7777/ {print $1}'");
  EXPECT_EQ(sum_packets(rows), std::strtoull(counter.out.c_str(), nullptr, 10));
  EXPECT_EQ(sum_packets(rows), 20u);
}

TEST(Trace, ClosedPortIsNoSocketInTcpV4Rcv) {
  TestNet net;
  TraceRun t(net, "-n " + net.server() + " --proto tcp --port 81");
  ASSERT_TRUE(t.attached()) << t.err();
  net.in_client(
      "for i in 1 2 3; do curl -s -m 1 http://10.77.0.2:81/; done; "
      "echo x > /dev/udp/10.77.0.2/82");  // filtered out: udp, other port
  auto report = t.finish();
  auto rows = rows_with_reason(report, "NO_SOCKET");
  ASSERT_EQ(rows.size(), 1u) << report.dump(2);
  expect_row(rows[0], "tcp_v4_rcv", "transport", "transport.no_listener", net.server());
  EXPECT_EQ(rows[0].value("proto", ""), "tcp");
  EXPECT_EQ(rows[0].value("packets", 0), 3);
}

TEST(Trace, Mtu100VethIsNotSpecifiedInDevForwardOnTheReceiver) {
  TestNet net;
  sh_ok("ip -n " + net.server() + " link set eth0 mtu 100");
  // Filtered on the receiver: the drop happens while skb->dev is still the client's veth.
  TraceRun t(net, "-n " + net.server() + " --host 10.77.0.2");
  ASSERT_TRUE(t.attached()) << t.err();
  net.in_client("for i in 1 2 3 4; do head -c 1000 /dev/zero > /dev/udp/10.77.0.2/9000; done");
  auto report = t.finish();
  std::vector<nlohmann::json> rows;
  for (const auto& r : rows_with_reason(report, "NOT_SPECIFIED"))
    if (r.value("location", "").rfind("__dev_forward_skb", 0) == 0) rows.push_back(r);
  ASSERT_EQ(rows.size(), 1u) << report.dump(2);
  // skb->dev is still the sender's veth; the row names the receiving peer whose MTU is 100.
  expect_row(rows[0], "__dev_forward_skb", "link", "link.mtu_low", net.server());
  EXPECT_EQ(rows[0].value("packets", 0), 4);
  auto rx_dropped = net.in_server("cat /proc/net/dev | awk '/eth0:/ {print $5}'");
  EXPECT_GE(std::strtoull(rx_dropped.out.c_str(), nullptr, 10), 4u);
}

TEST(Trace, FloodedUdpSocketWithTinyBufferIsSocketRcvbuff) {
  TestNet net;
  int fd = -1;
  pktloss::testing::run_in_named_netns(net.server(), [&] {
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    int sz = 1024;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(5005);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  });
  ASSERT_GE(fd, 0);
  uint64_t before = snmp(net.server(), "Udp", "RcvbufErrors");
  TraceRun t(net, "-n " + net.server() + " --proto udp");
  ASSERT_TRUE(t.attached()) << t.err();
  net.in_client("for i in $(seq 60); do echo flood > /dev/udp/10.77.0.2/5005; done");
  auto report = t.finish();
  uint64_t after = snmp(net.server(), "Udp", "RcvbufErrors");
  close(fd);
  auto rows = rows_with_reason(report, "SOCKET_RCVBUFF");
  ASSERT_FALSE(rows.empty()) << report.dump(2);
  for (const auto& r : rows) expect_row(r, "udp", "socket", "socket.rcvbuf", net.server());
  EXPECT_EQ(sum_packets(rows), after - before);
  EXPECT_GT(after - before, 30u);
}

TEST(Trace, StrictRpFilterIsIpRpfilter) {
  TestNet net;
  sh_ok("ip netns exec " + net.server() +
        " sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.eth0.rp_filter=1");
  sh_ok("ip -n " + net.client() + " addr add 10.55.0.1/32 dev eth0");
  // rp_filter also silences ARP from the spoofed source: resolve the server's MAC first with a
  // normal connection attempt (answered by a RST, before the tracer starts).
  net.in_client("curl -s -m 1 http://10.77.0.2:81/");
  TraceRun t(net, "-n " + net.server());
  ASSERT_TRUE(t.attached()) << t.err();
  net.in_client("curl -s -m 1 --interface 10.55.0.1 http://10.77.0.2/");
  auto report = t.finish();
  auto rows = rows_with_reason(report, "IP_RPFILTER");
  ASSERT_FALSE(rows.empty()) << report.dump(2);
  expect_row(rows[0], "ip_rcv_finish", "ip", "ip.rp_filter", net.server());
  EXPECT_GE(sum_packets(rows), 1u);
  // The finding carries the fix computed from this host's device.
  auto findings = TestNet::findings_with_id(report, "kernel.drop_reason");
  bool fix_found = false;
  for (const auto& f : findings)
    for (const auto& x : f.value("fix", nlohmann::json::array()))
      fix_found |= x.get<std::string>().find("conf.eth0.rp_filter=2") != std::string::npos;
  EXPECT_TRUE(fix_found) << report.dump(2);
}

TEST(Trace, HealthyPairShowsNoDropsInItsNamespaces) {
  TestNet net;
  net.start_nginx();
  TraceRun t(net, "-n " + net.server());
  ASSERT_TRUE(t.attached()) << t.err();
  EXPECT_EQ(net.curl_many("/30k.bin", 5), 5);
  auto report = t.finish();
  for (const auto& r : report.value("drop_events", nlohmann::json::array()))
    ADD_FAILURE() << "unexpected drop on a healthy pair: " << r.dump();
}

TEST(Trace, CheckIntervalAttachesKernelDropEvidence) {
  TestNet net;
  sh_ok("ip netns exec " + net.server() + " iptables -A INPUT -p udp --dport 7777 -j DROP");
  // Traffic inside the window (check attaches the tracer before its first snapshot).
  auto r = net.pktloss_until_done(
      "check -n " + net.server() + " -i 60 --json",
      TestNet::in_netns(
          net.client(),
          "for i in $(seq 20); do echo x > /dev/udp/10.77.0.2/7777; sleep 0.05; done"));
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  auto report = nlohmann::json::parse(r.out);
  bool ebpf = false;
  for (const auto& f : report["findings"]) {
    if (f.value("layer", "") != "netfilter" || f.value("netns", "") != net.server()) continue;
    for (const auto& e : f.value("evidence", nlohmann::json::array()))
      ebpf |= e.value("source", "") == "ebpf" &&
              e.value("counter", "") == "kernel.drop_reason:NETFILTER_DROP";
  }
  EXPECT_TRUE(ebpf) << report.dump(2);
  EXPECT_FALSE(rows_with_reason(report, "NETFILTER_DROP").empty());
}

TEST(Trace, WithoutBpfPrivilegeTraceFailsClearlyAndCheckDegradesWithANote) {
  // nobody has no CAP_BPF / CAP_PERFMON; the host namespace needs no setns.
  std::string nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  auto t = sh(nobody + PKTLOSS_BINARY + " trace -d 1");
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_NE(t.err.find("eBPF tracer unavailable"), std::string::npos) << t.err;
  EXPECT_EQ(t.err.find('\n'), t.err.size() - 1) << "one line: " << t.err;
  auto c = sh(nobody + PKTLOSS_BINARY + " check -i 1 --no-sockets --no-firewall --json");
  ASSERT_NE(c.exit_code, 2) << c.err;
  auto report = nlohmann::json::parse(c.out);
  bool note = false;
  for (const auto& n : report["notes"])
    note |= n.get<std::string>().find("eBPF tracer unavailable") != std::string::npos;
  EXPECT_TRUE(note) << report["notes"].dump();
}
