// The read-only promise (issue 13): check, diagnose (with probes, tracer and capture), trace,
// capture and serve change nothing in the namespaces they look at. The state is dumped by the
// test with ip / tc / nft / iptables-legacy-save / sysctl (pktloss itself never runs them)
// before and after, counters taken out, and compared byte for byte.
#include <gtest/gtest.h>

#include <unistd.h>

#include <string>

#include "testnet.h"

using pktloss::testing::sh;
using pktloss::testing::TestNet;

namespace {

// Everything configurable in a namespace, without counters or state that traffic changes
// (neighbour reachability, conntrack entries, the conntrack count).
std::string state_of(const std::string& ns) {
  const std::string x = "ip netns exec " + ns + " ";
  const std::string cmd =
      x + "nft list ruleset | sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/'; " + x +
      "iptables-legacy-save 2>/dev/null | sed -E 's/\\[[0-9]+:[0-9]+\\]//; /^#/d'; " + x +
      "ip6tables-legacy-save 2>/dev/null | sed -E 's/\\[[0-9]+:[0-9]+\\]//; /^#/d'; " + x +
      "ip -d link show; " + x + "ip addr show; " + x + "ip route show table all; " + x +
      "ip -6 route show table all; " + x + "ip rule show; " + x +
      "tc qdisc show | sed -E 's/direct_packets_stat [0-9]+//'; " + x + "tc class show dev eth0; " +
      x + "tc filter show dev eth0; " + x +
      "sysctl -a 2>/dev/null | grep -E '^net\\.' | "
      "grep -vE 'conntrack_count|nf_conntrack_events|^net.core.netdev_rss_key'";
  auto r = sh(cmd, 60);
  return r.out;
}

void expect_same(const std::string& before, const std::string& after, const std::string& what) {
  if (before == after) return;
  // Show the first differing line, not two dumps of a thousand lines.
  size_t i = 0;
  while (i < before.size() && i < after.size() && before[i] == after[i]) ++i;
  size_t line = before.rfind('\n', i);
  line = line == std::string::npos ? 0 : line + 1;
  ADD_FAILURE() << what << " changed the namespace state; first difference at:\nbefore: "
                << before.substr(line, before.find('\n', i) - line)
                << "\nafter:  " << after.substr(line, after.find('\n', i) - line);
}

}  // namespace

TEST(ReadOnly, NoCommandChangesTheNamespacesItLooksAt) {
  TestNet net;
  net.start_nginx();
  // A namespace with something of everything: nft and legacy rules, a qdisc tree, tuned
  // sysctls, conntrack in use.
  const std::string setup =
      "nft add table inet plro && nft add chain inet plro input "
      "'{ type filter hook input priority 0; policy accept; }' && "
      "nft add rule inet plro input ct state invalid counter drop && "
      "nft add rule inet plro input tcp dport 81 counter reject && "
      "iptables-legacy -A INPUT -p udp --dport 99 -j DROP && "
      "tc qdisc add dev eth0 root handle 1: htb default 10 && "
      "tc class add dev eth0 parent 1: classid 1:10 htb rate 100mbit && "
      "tc qdisc add dev eth0 parent 1:10 handle 10: tbf rate 50mbit burst 64kb latency 50ms && "
      "sysctl -qw net.ipv4.conf.all.rp_filter=2 net.ipv4.tcp_syn_retries=4 "
      "net.netfilter.nf_conntrack_max=65536 net.core.somaxconn=1024";
  auto made = net.in_server(setup);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_GT(net.curl_many("/", 3), 0);

  // Wait for the state the kernel itself is still changing to settle (carrier after the qdisc
  // change, IPv6 duplicate address detection): that drift is not ours.
  auto settled = [](const std::string& st) {
    return st.find("tentative") == std::string::npos && st.find("NO-CARRIER") == std::string::npos;
  };
  for (int i = 0; i < 100 && !(settled(state_of(net.server())) && settled(state_of(net.client())));
       ++i)
    usleep(100 * 1000);
  const std::string server_before = state_of(net.server());
  const std::string client_before = state_of(net.client());
  ASSERT_TRUE(settled(server_before) && settled(client_before)) << server_before;
  ASSERT_NE(server_before.find("plro"), std::string::npos) << server_before.substr(0, 500);
  ASSERT_NE(server_before.find("tbf"), std::string::npos);

  const std::string s = " -n " + net.server();
  struct Run {
    std::string name, args;
  };
  for (const Run& run : {
           Run{"check", "check" + s + " --json"},
           Run{"check -i", "check" + s + " -i 1 --json"},
           Run{"check --all-netns", "check --all-netns --no-trace -i 0.5 --json"},
           Run{"diagnose", "diagnose -n " + net.client() + " --observe " + net.server() +
                               " --target 10.77.0.2:80 --count 3 --interval 0 --trace --capture "
                               "--json"},
           Run{"trace", "trace" + s + " -d 1 --json"},
           Run{"capture",
               "capture" + s + " -i eth0 -d 1 --write " + net.workdir() + "/ro.pcap --json"},
       }) {
    auto r = net.pktloss(run.args, 120);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << run.name << ": " << r.err;
    expect_same(server_before, state_of(net.server()), run.name + " (server)");
    expect_same(client_before, state_of(net.client()), run.name + " (client)");
  }
  // serve: a scrape or two, then SIGTERM.
  net.spawn(net.server(), std::string("exec ") + PKTLOSS_BINARY + " serve -n " + net.server() +
                              " --listen 127.0.0.1:19470 --interval 0.5");
  auto scrape = net.in_server(
      "for i in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:19470/metrics && exit 0; "
      "sleep 0.1; done; exit 1");
  EXPECT_EQ(scrape.exit_code, 0) << "serve never answered";
  sh("ip netns pids " + net.server() +
     " | xargs -r -n1 sh -c "
     "'grep -q serve /proc/$0/cmdline 2>/dev/null && kill -TERM $0'");
  expect_same(server_before, state_of(net.server()), "serve (server)");
}
