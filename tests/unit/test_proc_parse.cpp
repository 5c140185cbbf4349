// Parsers of /proc text: real files from a 6.18 kernel, older layouts, and broken input.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "collect/proc_parse.h"

using namespace pktloss;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream f(std::string(PKTLOSS_FIXTURES) + "/proc/" + name);
  EXPECT_TRUE(f.good()) << name;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

TEST(ParseU64, DecimalHexAndRejects) {
  EXPECT_EQ(parse_u64("0"), 0u);
  EXPECT_EQ(parse_u64("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(parse_u64("18446744073709551616"));  // overflow is not a wrap
  EXPECT_FALSE(parse_u64(""));
  EXPECT_FALSE(parse_u64("-1"));
  EXPECT_FALSE(parse_u64("12a"));
  EXPECT_EQ(parse_u64("0000047d", 16), 0x47du);
  EXPECT_EQ(parse_u64("FFFFFFFF", 16), 0xffffffffu);
  EXPECT_FALSE(parse_u64("1ffffffffffffffff", 16));
  EXPECT_FALSE(parse_u64("0x10", 16));
}

TEST(ParseSnmp, RealKernelFileGivesGroupDotNameKeys) {
  CounterMap m;
  ParseProblems p;
  parse_snmp_pairs(fixture("snmp_6.18.txt"), m, p);
  EXPECT_TRUE(p.empty()) << p.front();
  EXPECT_EQ(m.at("Ip.DefaultTTL"), 64u);
  EXPECT_TRUE(m.count("Tcp.RetransSegs"));
  EXPECT_TRUE(m.count("Udp.RcvbufErrors"));
  EXPECT_TRUE(m.count("UdpLite.NoPorts"));
  EXPECT_TRUE(m.count("IcmpMsg.InType3"));
  EXPECT_FALSE(m.count("Tcp.MaxConn"));  // -1 is a setting, not a counter; skipped quietly
}

TEST(ParseSnmp, RealNetstatHasTheDropCountersRulesUse) {
  CounterMap m;
  ParseProblems p;
  parse_snmp_pairs(fixture("netstat_6.18.txt"), m, p);
  EXPECT_TRUE(p.empty()) << p.front();
  for (const char* k : {"TcpExt.ListenOverflows", "TcpExt.ListenDrops", "TcpExt.TCPBacklogDrop",
                        "TcpExt.IPReversePathFilter", "TcpExt.TCPRcvQDrop", "TcpExt.TCPSynRetrans",
                        "TcpExt.EmbryonicRsts", "IpExt.InNoRoutes", "IpExt.ReasmOverlaps"})
    EXPECT_TRUE(m.count(k)) << k;
  EXPECT_GT(m.at("IpExt.InOctets"), 0u);
}

TEST(ParseSnmp, MalformedInputKeepsWhatIsGoodAndSaysWhatIsNot) {
  CounterMap m;
  ParseProblems p;
  parse_snmp_pairs(fixture("snmp_malformed.txt"), m, p);
  EXPECT_EQ(m.at("Ip.Forwarding"), 1u);
  EXPECT_EQ(m.at("Ip.OutNoRoutes"), UINT64_MAX);  // huge but valid
  EXPECT_FALSE(m.count("Ip.InReceives"));         // "notanumber"
  EXPECT_EQ(m.at("Tcp.ActiveOpens"), 7u);         // after the skipped -1
  EXPECT_FALSE(m.count("Tcp.AttemptFails"));      // value line one short
  EXPECT_FALSE(m.count("Icmp.InMsgs"));           // 20 digits: overflow, not a wrap
  EXPECT_FALSE(m.count("Udp.InDatagrams"));       // header without values
  // InReceives, Tcp count, garbage line, Udp header, Icmp overflow, IpExt truncated.
  EXPECT_EQ(p.size(), 6u);
}

TEST(ParseSnmp, MismatchedHeaderAndValueCountsUseTheCommonPrefix) {
  CounterMap m;
  ParseProblems p;
  parse_snmp_pairs("Tcp: A B C\nTcp: 1 2\nUdp: X\nUdp: 5 6\n", m, p);
  EXPECT_EQ(m.at("Tcp.A"), 1u);
  EXPECT_EQ(m.at("Tcp.B"), 2u);
  EXPECT_FALSE(m.count("Tcp.C"));
  EXPECT_EQ(m.at("Udp.X"), 5u);
  EXPECT_EQ(p.size(), 2u);
}

TEST(ParseSnmp, TruncatedFileIsAProblemNotACrash) {
  CounterMap m;
  ParseProblems p;
  parse_snmp_pairs(fixture("netstat_truncated.txt"), m, p);
  EXPECT_TRUE(m.empty());
  EXPECT_FALSE(p.empty());
  parse_snmp_pairs("", m, p);
  parse_snmp_pairs("\n\n:\n", m, p);
  parse_snmp_pairs(std::string(1000, ':'), m, p);
}

TEST(ParseSnmp6, SplitsGroupAtItsSix) {
  CounterMap m;
  ParseProblems p;
  parse_snmp6(fixture("snmp6_6.18.txt"), m, p);
  EXPECT_TRUE(p.empty()) << p.front();
  EXPECT_TRUE(m.count("Ip6.InDiscards"));
  EXPECT_TRUE(m.count("Udp6.RcvbufErrors"));
  EXPECT_TRUE(m.count("UdpLite6.InDatagrams"));
  EXPECT_TRUE(m.count("Icmp6.InDestUnreachs"));
}

TEST(ParseSnmp6, MalformedLines) {
  CounterMap m;
  ParseProblems p;
  parse_snmp6(fixture("snmp6_malformed.txt"), m, p);
  EXPECT_EQ(m.at("Ip6.InReceives"), 12u);
  EXPECT_EQ(m.at("Udp6.RcvbufErrors"), 5u);
  EXPECT_EQ(m.at("UdpLite6.InDatagrams"), 3u);
  EXPECT_EQ(m.at("Icmp6.InDestUnreachs"), 2u);
  EXPECT_FALSE(m.count("Ip6.OutNoRoutes"));
  EXPECT_EQ(m.size(), 4u);
  EXPECT_EQ(p.size(), 4u);  // x1, NoSixHere, "Ip6" alone, three columns
}

TEST(ParseSoftnet, NewKernelUsesTheCpuColumn) {
  ParseProblems p;
  auto cpus = parse_softnet_stat(fixture("softnet_stat_6.18.txt"), p);
  EXPECT_TRUE(p.empty());
  ASSERT_GE(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].cpu, 0);
  if (cpus.size() > 1) {
    EXPECT_EQ(cpus[1].cpu, 1);
  }
}

TEST(ParseSoftnet, OfflineCpuIsSkippedSoTheIndexColumnMatters) {
  ParseProblems p;
  auto cpus = parse_softnet_stat(fixture("softnet_stat_5.10_cpu1_offline.txt"), p);
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[0].cpu, 0);
  EXPECT_EQ(cpus[0].processed, 0xa1b2u);
  EXPECT_EQ(cpus[0].dropped, 3u);
  EXPECT_EQ(cpus[0].time_squeeze, 16u);
  EXPECT_EQ(cpus[1].cpu, 2);
  EXPECT_EQ(cpus[1].dropped, 7u);
}

TEST(ParseSoftnet, OldKernelWithoutCpuColumnUsesLineNumber) {
  ParseProblems p;
  auto cpus = parse_softnet_stat(fixture("softnet_stat_4.19.txt"), p);
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[1].cpu, 1);
  EXPECT_EQ(cpus[1].received_rps, 5u);
  EXPECT_EQ(cpus[1].flow_limit_count, 2u);
}

TEST(ParseSoftnet, BrokenLinesAreSkipped) {
  ParseProblems p;
  auto cpus = parse_softnet_stat("00000001 00000002\nzz 00000001 00000001\n0000000a 0 0\n", p);
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].processed, 10u);
  EXPECT_EQ(p.size(), 2u);
}

TEST(ParseNfConntrackStat, SumsCpusButNotEntries) {
  ParseProblems p;
  auto m = parse_nf_conntrack_stat(fixture("nf_conntrack_mismatch.txt"), p);
  EXPECT_EQ(m.at("entries"), 16u);  // global, repeated per CPU
  EXPECT_EQ(m.at("drop"), 4u + 10u + 1u);
  EXPECT_EQ(m.at("insert_failed"), 3u);
  EXPECT_EQ(m.at("invalid"), 2u + 3u);  // third line's "zz" skipped
  EXPECT_EQ(m.at("search_restart"), 0u);
  EXPECT_EQ(p.size(), 2u);
}

TEST(ParseNfConntrackStat, RealFileAndGarbage) {
  ParseProblems p;
  auto m = parse_nf_conntrack_stat(fixture("nf_conntrack_6.18.txt"), p);
  EXPECT_TRUE(p.empty());
  EXPECT_TRUE(m.count("drop"));
  EXPECT_TRUE(m.count("early_drop"));
  ParseProblems q;
  EXPECT_TRUE(parse_nf_conntrack_stat("", q).empty());
  EXPECT_TRUE(parse_nf_conntrack_stat("00000001 00000002\n", q).empty());
  EXPECT_EQ(q.size(), 2u);
}

TEST(NormalizeSysctl, CollapsesBlanks) {
  EXPECT_EQ(normalize_sysctl_value("4096\t131072\t6291456\n"), "4096 131072 6291456");
  EXPECT_EQ(normalize_sysctl_value("1\n"), "1");
  EXPECT_EQ(normalize_sysctl_value(""), "");
}
