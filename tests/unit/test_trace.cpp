// The pure parts of `pktloss trace`: symbol resolution from a kallsyms fixture, drop reason names
// (tracepoint format fallback and live BTF), the (reason, location) -> layer/finding mapping, and
// kernel_drop_rules (attach to a matching finding, else a kernel.drop_reason finding).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "rules/rule_families.h"
#include "rules/drop_classifier.h"
#include "trace/drop_reasons.h"
#include "render/drop_table.h"
#include "trace/drop_tracer.h"
#include "trace/kallsyms.h"

namespace pktloss {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream f(std::string(PKTLOSS_FIXTURES) + "/trace/" + name);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Kallsyms fixture_kallsyms() {
  Kallsyms k;
  std::istringstream in(fixture("kallsyms.txt"));
  k.parse(in);
  return k;
}

TEST(TraceKallsyms, ResolvesSymbolPlusOffset) {
  Kallsyms k = fixture_kallsyms();
  EXPECT_EQ(k.resolve(0xffffffff81a1046fULL), "nft_do_chain+0x46f");
  EXPECT_EQ(k.function(0xffffffff81a1046fULL), "nft_do_chain");
  EXPECT_EQ(k.resolve(0xffffffff81a10800ULL), "nft_do_chain_ipv4+0x0");
  EXPECT_EQ(k.resolve(0xffffffff81c30087ULL), "__dev_forward_skb2+0x87");
}

TEST(TraceKallsyms, DataSymbolsZeroAddressesAndGarbageAreSkipped) {
  Kallsyms k = fixture_kallsyms();
  // 7 text symbols survive: data ('d'), zero address, garbage and bad hex are dropped.
  EXPECT_EQ(k.size(), 7u);
  EXPECT_EQ(k.function(0xffffffff81b20010ULL), "tcp_v4_rcv");
}

TEST(TraceKallsyms, ModuleSymbolsCarryTheModuleName) {
  Kallsyms k = fixture_kallsyms();
  EXPECT_EQ(k.resolve(0xffffffffc0a00010ULL), "veth_xmit+0x10 [veth]");
  EXPECT_EQ(k.function(0xffffffffc0a00010ULL), "veth_xmit");
}

TEST(TraceKallsyms, AddressesOutsideAnySymbolStayRaw) {
  Kallsyms k = fixture_kallsyms();
  EXPECT_EQ(k.resolve(0x1000), "0x1000");
  EXPECT_EQ(k.function(0x1000), "");
  // Far past the last symbol is not "inside" it.
  EXPECT_EQ(k.resolve(0xffffffffd0000000ULL), "0xffffffffd0000000");
  Kallsyms empty;
  std::istringstream zeroed("0000000000000000 T tcp_v4_rcv\n");  // kptr_restrict view
  empty.parse(zeroed);
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.resolve(0xffffffff81b20000ULL), "0xffffffff81b20000");
}

TEST(TraceReasons, ParsesTracepointFormatFallback) {
  DropReasonNames n;
  ASSERT_TRUE(n.parse_tracepoint_format(fixture("kfree_skb_format.txt")));
  EXPECT_EQ(n.name(2), "NOT_SPECIFIED");
  EXPECT_EQ(n.name(12), "NETFILTER_DROP");
  EXPECT_EQ(n.name(16), "IP_RPFILTER");
  EXPECT_EQ(n.name(77), "REASON_77");
  EXPECT_EQ(n.name((3u << 16) | 5), "SUBSYS_3:5");
  DropReasonNames none;
  EXPECT_FALSE(none.parse_tracepoint_format("no table here { x, \"\" }"));
}

TEST(TraceReasons, RunningKernelBtfHasTheEnum) {
  DropReasonNames n;
  std::string err;
  if (!n.load_btf(err)) GTEST_SKIP() << err;
  EXPECT_GT(n.size(), 10u);
  // Names are looked up, not hard-coded: find NETFILTER_DROP's value whatever it is here.
  bool found = false;
  for (uint32_t v = 0; v < 1024 && !found; v++) found = n.name(v) == "NETFILTER_DROP";
  EXPECT_TRUE(found);
}

struct Case {
  const char* reason;
  const char* function;
  const char* l4;
  const char* layer;
  const char* id;
  bool benign;
  bool at_peer;
};

TEST(TraceClassifier, ReasonAndLocationMapToLayerAndFinding) {
  const Case cases[] = {
      {"NETFILTER_DROP", "nft_do_chain", "udp", "netfilter", "netfilter.drop_rule", false, false},
      {"NETFILTER_DROP", "ipt_do_table", "tcp", "netfilter", "netfilter.drop_rule", false, false},
      {"NO_SOCKET", "tcp_v4_rcv", "tcp", "transport", "transport.no_listener", false, false},
      {"NO_SOCKET", "__udp4_lib_rcv", "udp", "transport", "transport.udp_no_port", false, false},
      {"NOT_SPECIFIED", "__dev_forward_skb2", "udp", "link", "link.mtu_low", false, true},
      {"IP_RPFILTER", "ip_rcv_finish_core", "tcp", "ip", "ip.rp_filter", false, false},
      {"SOCKET_RCVBUFF", "udp_queue_rcv_one_skb", "udp", "socket", "socket.rcvbuf", false, false},
      {"TCP_LISTEN_OVERFLOW", "tcp_v4_syn_recv_sock", "tcp", "socket", "socket.listen_overflow",
       false, false},
      {"QDISC_DROP", "__dev_queue_xmit", "udp", "qdisc", "qdisc.drops", false, false},
      {"IP_INNOROUTES", "ip_route_input_slow", "udp", "ip", "ip.no_route", false, false},
      {"FRAG_REASM_TIMEOUT", "ip_expire", "", "ip", "ip.reassembly", false, false},
      // Normal frees.
      {"SKB_CONSUMED", "", "", "socket", "kernel.drop_reason", true, false},
      {"QUEUE_PURGE", "skb_queue_purge_reason", "", "socket", "kernel.drop_reason", true, false},
      {"NOT_SPECIFIED", "ip6_mc_input", "icmp6", "ip", "kernel.drop_reason", true, false},
      {"NOT_SPECIFIED", "udp_destruct_common", "udp", "socket", "kernel.drop_reason", true, false},
      {"SOCKET_FILTER", "raw_rcv", "tcp", "socket", "kernel.drop_reason", true, false},
      // DAD / MLD while a veth comes up; TCP without a route in the same place is still loss.
      {"IP_INNOROUTES", "ip6_pkt_discard", "icmp6", "ip", "kernel.drop_reason", true, false},
      {"IP_INNOROUTES", "ip6_pkt_discard", "ip6", "ip", "kernel.drop_reason", true, false},
      {"IP_INNOROUTES", "ip6_pkt_discard", "tcp", "ip", "ip.no_route", false, false},
      {"NOT_SPECIFIED", "netlink_unicast", "", "socket", "kernel.drop_reason", true, false},
      {"NOT_SPECIFIED", "virtio_transport_recv_pkt", "", "socket", "kernel.drop_reason", true,
       false},
      // Unmapped: layer from the location, generic id.
      {"NOT_SPECIFIED", "tcp_v4_rcv", "tcp", "transport", "kernel.drop_reason", false, false},
      {"NOT_SPECIFIED", "sch_direct_xmit", "udp", "qdisc", "kernel.drop_reason", false, false},
      {"NOT_SPECIFIED", "", "", "ip", "kernel.drop_reason", false, false},
      {"TCP_INVALID_SEQUENCE", "tcp_validate_incoming", "tcp", "transport", "kernel.drop_reason",
       false, false},
      {"REASON_999", "somewhere", "", "ip", "kernel.drop_reason", false, false},
  };
  for (const auto& c : cases) {
    DropClass d = classify_drop(c.reason, c.function, c.l4);
    SCOPED_TRACE(std::string(c.reason) + " in " + c.function);
    EXPECT_EQ(d.layer, c.layer);
    EXPECT_EQ(d.finding_id, c.id);
    EXPECT_EQ(d.benign, c.benign);
    EXPECT_EQ(d.at_peer, c.at_peer);
    EXPECT_FALSE(d.explanation.empty());
  }
}

TEST(TraceClassifier, NetfilterExplanationNamesTheBackend) {
  EXPECT_NE(classify_drop("NETFILTER_DROP", "nft_do_chain", "").explanation.find("nftables"),
            std::string::npos);
  EXPECT_NE(classify_drop("NETFILTER_DROP", "ipt_do_table", "").explanation.find("legacy"),
            std::string::npos);
}

TEST(TraceProtoNames, KnownAndUnknownProtocols) {
  EXPECT_EQ(ip_proto_name(0x0800, 6), "tcp");
  EXPECT_EQ(ip_proto_name(0x86DD, 58), "icmp6");
  EXPECT_EQ(ip_proto_name(0x0806, 0), "arp");
  EXPECT_EQ(ip_proto_name(0x0800, 132), "ip:132");
  EXPECT_EQ(ip_proto_name(0x88cc, 0), "eth:0x88cc");
  EXPECT_EQ(ip_proto_name(0, 0), "");
}

DropEventRow row(const std::string& reason, const std::string& id, const std::string& layer,
                 const std::string& netns, uint64_t packets) {
  DropEventRow r;
  r.reason = reason;
  r.finding_id = id;
  r.layer = layer;
  r.netns = netns;
  r.dev = "eth0";
  r.location = "nft_do_chain+0x46f";
  r.proto = "udp";
  r.explanation = "because";
  r.packets = packets;
  return r;
}

TEST(TraceKernelDropRules, AttachesToTheMatchingFindingInTheSameNetns) {
  Observations obs;
  obs.drop_events_available = true;
  obs.drop_events.push_back(row("NETFILTER_DROP", "netfilter.drop_rule", "netfilter", "srv", 7));
  Findings out;
  Finding f;
  f.id = "netfilter.drop_rule";
  f.layer = Layer::netfilter;
  f.netns = "srv";
  f.volume = 3;
  out.push_back(f);
  Finding other = f;
  other.netns = "cli";  // same id, other namespace: untouched
  out.push_back(other);
  kernel_drop_rules(obs, out);
  ASSERT_EQ(out.size(), 2u);
  ASSERT_EQ(out[0].evidence.size(), 1u);
  EXPECT_EQ(out[0].evidence[0].source, "ebpf");
  EXPECT_EQ(out[0].evidence[0].counter, "kernel.drop_reason:NETFILTER_DROP");
  EXPECT_EQ(out[0].evidence[0].delta, 7u);
  EXPECT_TRUE(out[0].evidence[0].in_window);
  EXPECT_TRUE(out[0].moved_in_window);
  EXPECT_EQ(out[0].volume, 7u);
  EXPECT_TRUE(out[1].evidence.empty());
}

TEST(TraceKernelDropRules, UnexplainedDropsBecomeKernelDropReasonFindings) {
  Observations obs;
  obs.drop_events.push_back(row("NETFILTER_DROP", "netfilter.drop_rule", "netfilter", "srv", 5));
  obs.drop_events.push_back(row("NETFILTER_DROP", "netfilter.drop_rule", "netfilter", "srv", 2));
  auto vague = row("NOT_SPECIFIED", "kernel.drop_reason", "ip", "srv", 4);
  vague.location = "ip6_rcv_core+0x10";
  obs.drop_events.push_back(vague);
  Findings out;
  kernel_drop_rules(obs, out);
  ASSERT_EQ(out.size(), 2u);
  const Finding* nf = nullptr;
  const Finding* ip = nullptr;
  for (const auto& f : out) (f.layer == Layer::netfilter ? nf : ip) = &f;
  ASSERT_TRUE(nf && ip);
  EXPECT_EQ(nf->id, "kernel.drop_reason");
  EXPECT_EQ(nf->netns, "srv");
  EXPECT_EQ(nf->volume, 7u);  // the two rows of the same (reason, function) group
  EXPECT_EQ(nf->evidence.size(), 2u);
  EXPECT_EQ(nf->severity, Severity::warning);
  EXPECT_FALSE(nf->fix.empty());
  // A bare NOT_SPECIFIED in an unmapped place is only a hint.
  EXPECT_EQ(ip->severity, Severity::info);
  EXPECT_EQ(ip->volume, 4u);
}

TEST(TraceKernelDropRules, NoRowsNoChange) {
  Observations obs;
  Findings out;
  kernel_drop_rules(obs, out);
  EXPECT_TRUE(out.empty());
}

TEST(TraceTable, SortedRowsWithFlowsColumn) {
  std::vector<DropEventRow> rows = {
      row("NETFILTER_DROP", "netfilter.drop_rule", "netfilter", "srv", 9)};
  rows[0].flow = "10.0.0.1:1 -> 10.0.0.2:2";
  TableStyle st;
  st.flows = true;
  std::string t = render_drop_table(rows, st, 2.0);
  EXPECT_NE(t.find("9 packets in 1 row"), std::string::npos) << t;
  EXPECT_NE(t.find("FLOW"), std::string::npos);
  EXPECT_NE(t.find("10.0.0.1:1 -> 10.0.0.2:2"), std::string::npos);
  EXPECT_EQ(render_drop_table({}, st, 1.0).find("PACKETS"), std::string::npos);
}

TEST(TraceTracer, BadFiltersAreRejectedBeforeLoading) {
  DropTracer t;
  TraceFilters f;
  f.host = "not-an-address";
  EXPECT_THROW(t.start(f), std::invalid_argument);
  f.host = "";
  f.proto = "sctp";
  EXPECT_THROW(t.start(f), std::invalid_argument);
  EXPECT_FALSE(t.available());
}

}  // namespace
}  // namespace pktloss
