// Collectors against this machine's real /proc (whatever it holds, they must fill the model or
// leave a note), and every parser against random bytes (no crash, no hang, bounded problems).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "collect/collectors.h"
#include "collect/proc_parse.h"
#include "collect/proc_read.h"
#include "netns/netns.h"

using namespace pktloss;

TEST(ProcCollectors, FillTheSnapshotFromThisNamespace) {
  NetnsSnapshot ns;
  run_in_netns(current_netns(), [&] {
    collect_proc_counters(ns);
    collect_softnet(ns);
    collect_sysctls(ns);
    collect_conntrack(ns);
  });
  EXPECT_TRUE(ns.snmp.count("Tcp.InSegs"));
  EXPECT_TRUE(ns.snmp.count("TcpExt.ListenDrops"));
  EXPECT_TRUE(ns.snmp.count("IpExt.InNoRoutes"));
  EXPECT_FALSE(ns.softnet.empty());
  EXPECT_TRUE(ns.sysctls.count("net.core.somaxconn"));
  EXPECT_TRUE(ns.sysctls.count("net.ipv4.conf.all.rp_filter"));
  EXPECT_TRUE(ns.sysctls.count("net.ipv4.conf.lo.rp_filter"));
  if (ns.conntrack.available) {
    EXPECT_GT(ns.conntrack.max, 0u);
    EXPECT_TRUE(ns.conntrack.stats.count("drop"));
  } else {
    bool noted = false;
    for (const auto& n : ns.notes) noted |= n.find("conntrack") != std::string::npos;
    EXPECT_TRUE(noted);
  }
  for (const auto& n : ns.notes) EXPECT_EQ(n.find("parse problem"), std::string::npos) << n;
}

TEST(ProcCollectors, SocketsListOnlyListenersAndUdp) {
  NetnsSnapshot ns;
  CollectOptions opts;
  opts.socket_owners = false;
  run_in_netns(current_netns(), [&] { collect_sockets(ns, opts); });
  for (const auto& s : ns.sockets) {
    if (s.proto == "tcp") {
      EXPECT_EQ(s.state, "LISTEN");
    }
    EXPECT_TRUE(s.owners.empty());
  }
}

TEST(ProcRead, MissingFileAndCap) {
  std::string err;
  EXPECT_FALSE(read_proc_file("/proc/thread-self/net/does-not-exist", &err));
  EXPECT_FALSE(err.empty());
  bool truncated = false;
  auto t = read_proc_file("/proc/self/status", nullptr, &truncated, 16);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->size(), 16u);
  EXPECT_TRUE(truncated);
}

TEST(ProcParsers, RandomBytesNeverCrash) {
  // Deterministic: the same "random" inputs every run, weighted towards the characters the
  // formats use so the parsers get past their first checks.
  const char alphabet[] = "0123456789abcdefABCDEF: \t\n-6IpTcUdxyz\r\0\xff";
  uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int round = 0; round < 3000; ++round) {
    std::string text(next() % 400, ' ');
    for (auto& c : text) c = alphabet[next() % (sizeof alphabet - 1)];
    CounterMap m;
    ParseProblems p;
    parse_snmp_pairs(text, m, p);
    parse_snmp6(text, m, p);
    parse_softnet_stat(text, p);
    parse_nf_conntrack_stat(text, p);
    normalize_sysctl_value(text);
    EXPECT_LE(p.size(), 8u * 4);  // each parser caps its problem list
  }
}
