// tc filters and actions: RTM_NEWTFILTER messages built here as the kernel sends them (this
// kernel has no act_gact, act_police or cls_matchall; the VM lab checks the same against Debian's
// kernel, tests/integration/test_vm_tc_filter.cpp), and the qdisc.filter_drop rule on healthy and
// dropping pairs.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_gact.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "collect/tc_filter_parse.h"
#include "model/json.h"
#include "render/metrics_renderer.h"
#include "rules/engine.h"
#include "serve/layer_counters.h"
#include "serve/window_snapshot.h"

using namespace pktloss;

namespace {

struct Msg {
  std::vector<uint64_t> buf = std::vector<uint64_t>(1024, 0);
  nlmsghdr* nlh() { return reinterpret_cast<nlmsghdr*>(buf.data()); }
};

nlmsghdr* filter_header(Msg& m, const char* kind, uint32_t parent = 0xFFFFFFF2) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(m.buf.data());
  nlh->nlmsg_type = RTM_NEWTFILTER;
  auto* t = static_cast<tcmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(tcmsg)));
  t->tcm_ifindex = 2;
  t->tcm_parent = parent;
  t->tcm_handle = 1;
  t->tcm_info = TC_H_MAKE(49152u << 16, htons(0x0003));  // pref 49152 protocol all
  mnl_attr_put_strz(nlh, TCA_KIND, kind);
  mnl_attr_put_u32(nlh, TCA_CHAIN, 0);
  return nlh;
}

void put_action_stats(nlmsghdr* nlh, uint32_t packets, uint32_t drops, uint32_t overlimits) {
  nlattr* st = mnl_attr_nest_start(nlh, TCA_ACT_STATS);
  gnet_stats_basic basic{};
  basic.packets = packets;
  basic.bytes = packets * 98ull;
  gnet_stats_queue q{};
  q.drops = drops;
  q.overlimits = overlimits;
  mnl_attr_put(nlh, TCA_STATS_BASIC, sizeof basic, &basic);
  mnl_attr_put(nlh, TCA_STATS_QUEUE, sizeof q, &q);
  mnl_attr_nest_end(nlh, st);
}

// matchall action gact ACTION [random netrand PACTION PVAL]
Msg matchall_gact(int action, uint32_t packets, uint32_t drops, int ptype = 0, int paction = 0,
                  uint16_t pval = 0) {
  Msg m;
  nlmsghdr* nlh = filter_header(m, "matchall");
  nlattr* opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
  nlattr* acts = mnl_attr_nest_start(nlh, TCA_MATCHALL_ACT);
  nlattr* a1 = mnl_attr_nest_start(nlh, 1);
  mnl_attr_put_strz(nlh, TCA_ACT_KIND, "gact");
  nlattr* ao = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
  tc_gact g{};
  g.index = 7;
  g.action = action;
  mnl_attr_put(nlh, TCA_GACT_PARMS, sizeof g, &g);
  if (ptype) {
    tc_gact_p p{static_cast<uint16_t>(ptype), pval, paction};
    mnl_attr_put(nlh, TCA_GACT_PROB, sizeof p, &p);
  }
  mnl_attr_nest_end(nlh, ao);
  put_action_stats(nlh, packets, drops, 0);
  mnl_attr_nest_end(nlh, a1);
  mnl_attr_nest_end(nlh, acts);
  mnl_attr_nest_end(nlh, opts);
  return m;
}

// u32 match u32 0 0 action police rate 8kbit burst 1000 drop
Msg u32_police(uint32_t packets, uint32_t drops, uint32_t overlimits) {
  Msg m;
  nlmsghdr* nlh = filter_header(m, "u32");
  nlattr* opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
  nlattr* acts = mnl_attr_nest_start(nlh, TCA_U32_ACT);
  nlattr* a1 = mnl_attr_nest_start(nlh, 1);
  mnl_attr_put_strz(nlh, TCA_ACT_KIND, "police");
  nlattr* ao = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
  tc_police p{};
  p.index = 1;
  p.action = TC_ACT_SHOT;
  p.rate.rate = 1000;                                              // bytes/s = 8 kbit
  p.burst = static_cast<uint32_t>(1e6 * 1000 / 1000 * 1000 / 64);  // 1000 B at 1000 B/s: 1 s
  p.mtu = 2048;
  mnl_attr_put(nlh, TCA_POLICE_TBF, sizeof p, &p);
  mnl_attr_put_u32(nlh, TCA_POLICE_RESULT, TC_ACT_PIPE);
  mnl_attr_nest_end(nlh, ao);
  put_action_stats(nlh, packets, drops, overlimits);
  mnl_attr_nest_end(nlh, a1);
  mnl_attr_nest_end(nlh, acts);
  mnl_attr_nest_end(nlh, opts);
  return m;
}

TEST(TcFilterParse, MatchallGactDropWithItsCounters) {
  Msg m = matchall_gact(TC_ACT_SHOT, 40, 40);
  auto f = tc_filter_from_nlmsg(m.nlh());
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, "matchall");
  EXPECT_EQ(f->ifindex, 2);
  EXPECT_EQ(f->parent, 0xFFFFFFF2u);
  EXPECT_EQ(f->prio, 49152);
  ASSERT_EQ(f->actions.size(), 1u);
  const TcAction& a = f->actions[0];
  EXPECT_EQ(a.kind, "gact");
  EXPECT_EQ(a.verdict, "drop");
  EXPECT_EQ(a.index, 7u);
  EXPECT_EQ(a.packets, 40u);
  EXPECT_EQ(a.drops, 40u);
  EXPECT_TRUE(a.random_type.empty());
}

TEST(TcFilterParse, GactRandomVariant) {
  Msg m = matchall_gact(TC_ACT_OK, 100, 30, PGACT_NETRAND, TC_ACT_SHOT, 3);
  auto f = tc_filter_from_nlmsg(m.nlh());
  ASSERT_TRUE(f);
  ASSERT_EQ(f->actions.size(), 1u);
  EXPECT_EQ(f->actions[0].verdict, "pass");
  EXPECT_EQ(f->actions[0].random_type, "netrand");
  EXPECT_EQ(f->actions[0].random_verdict, "drop");
  EXPECT_EQ(f->actions[0].random_value, 3u);
}

TEST(TcFilterParse, PoliceRateBurstAndVerdicts) {
  Msg m = u32_police(100, 60, 60);
  auto f = tc_filter_from_nlmsg(m.nlh());
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, "u32");
  ASSERT_EQ(f->actions.size(), 1u);
  const TcAction& a = f->actions[0];
  EXPECT_EQ(a.kind, "police");
  EXPECT_EQ(a.police_rate_bps, 8000u);
  EXPECT_NEAR(a.police_burst_bytes, 1000u, 1);
  EXPECT_EQ(a.police_mtu, 2048u);
  EXPECT_EQ(a.verdict, "drop");
  EXPECT_EQ(a.police_conform, "pipe");
  EXPECT_EQ(a.drops, 60u);
  EXPECT_EQ(a.overlimits, 60u);
}

TEST(TcFilterParse, BpfProgramNameIdAndDirectAction) {
  Msg m;
  nlmsghdr* nlh = filter_header(m, "bpf", 0xFFFFFFF3);
  nlattr* opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
  mnl_attr_put_strz(nlh, TCA_BPF_NAME, "drop_prog.o:[classifier]");
  mnl_attr_put_u32(nlh, TCA_BPF_ID, 42);
  mnl_attr_put_u32(nlh, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
  mnl_attr_nest_end(nlh, opts);
  auto f = tc_filter_from_nlmsg(m.nlh());
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, "bpf");
  EXPECT_EQ(f->bpf_name, "drop_prog.o:[classifier]");
  EXPECT_EQ(f->bpf_id, 42u);
  EXPECT_TRUE(f->bpf_direct_action);
  EXPECT_TRUE(f->actions.empty());
}

TEST(TcFilterParse, TruncatedAndHostileBytesNeverCrash) {
  Msg m = u32_police(100, 60, 60);
  size_t len = m.nlh()->nlmsg_len;
  const auto* bytes = reinterpret_cast<const uint8_t*>(m.buf.data());
  for (size_t cut = 0; cut <= len; ++cut) {
    std::vector<uint8_t> part(bytes, bytes + cut);
    if (cut >= sizeof(nlmsghdr)) {
      nlmsghdr h;
      std::memcpy(&h, part.data(), sizeof h);
      h.nlmsg_len = static_cast<uint32_t>(cut);
      std::memcpy(part.data(), &h, sizeof h);
    }
    (void)tc_filter_from_bytes(part.data(), part.size());
  }
  // Random bytes after a valid header: parse or refuse, never crash.
  std::vector<uint8_t> noise(bytes, bytes + len);
  uint32_t x = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> b = noise;
    for (size_t i = sizeof(nlmsghdr) + sizeof(tcmsg); i < b.size(); ++i)
      if ((x = x * 1103515245 + 12345) % 7 == 0) b[i] = static_cast<uint8_t>(x >> 16);
    (void)tc_filter_from_bytes(b.data(), b.size());
  }
  EXPECT_FALSE(tc_filter_from_bytes(nullptr, 0));
}

// The fuzz seeds (fuzz/tools/collect_seeds.py packs them from the uapi layouts) are filters the
// parser reads in full, so the fuzzer starts from messages that reach every action's options.
TEST(TcFilterParse, FuzzSeedsParseAsTheFiltersTheyDescribe) {
  auto seed = [](const std::string& name) {
    std::ifstream in(std::string(PKTLOSS_FIXTURES) + "/../../fuzz/corpus/fuzz_rtnl_parse/" + name,
                     std::ios::binary);
    std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), {});
    EXPECT_GT(b.size(), 1u) << name;
    return b.size() > 1 ? tc_filter_from_bytes(b.data() + 1, b.size() - 1) : std::nullopt;
  };
  auto m = seed("tfilter-matchall");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, "matchall");
  ASSERT_EQ(m->actions.size(), 2u);
  EXPECT_EQ(m->actions[0].kind, "gact");
  EXPECT_EQ(m->actions[0].random_type, "netrand");
  EXPECT_EQ(m->actions[0].random_value, 3000u);
  EXPECT_EQ(m->actions[0].drops, 300u);
  EXPECT_EQ(m->actions[1].kind, "police");
  EXPECT_EQ(m->actions[1].police_rate_bps, 8000000u);
  EXPECT_EQ(m->actions[1].police_burst_bytes, 1500u);
  auto u = seed("tfilter-u32-police");
  ASSERT_TRUE(u);
  ASSERT_EQ(u->actions.size(), 1u);
  EXPECT_EQ(u->actions[0].kind, "police");
  auto b = seed("tfilter-bpf");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->bpf_name, "xdp_drop_prog");
  EXPECT_EQ(b->bpf_id, 42u);
  EXPECT_TRUE(b->bpf_direct_action);
  ASSERT_TRUE(seed("tfilter-flower"));
}

TEST(TcFilterParse, VerdictNames) {
  EXPECT_EQ(tc_verdict_name(TC_ACT_UNSPEC), "continue");
  EXPECT_EQ(tc_verdict_name(TC_ACT_STOLEN), "stolen");
  EXPECT_EQ(tc_verdict_name(TC_ACT_GOTO_CHAIN | 3), "goto chain 3");
  EXPECT_EQ(tc_verdict_name(99), "99");
}

// A pair of snapshots of one namespace with one filter whose action moved as given.
struct Pair {
  Snapshot before, after;
};
Pair pair_with(const TcAction& b, const TcAction& a, const std::string& kind = "matchall") {
  Pair p;
  for (auto* s : {&p.before, &p.after}) {
    NetnsSnapshot ns;
    ns.name = "srv";
    ns.inode = 1;
    TcFilter f;
    f.ifindex = 2;
    f.dev = "eth0";
    f.parent = 0xFFFFFFF2;
    f.prio = 49152;
    f.kind = kind;
    f.actions.push_back(s == &p.before ? b : a);
    ns.tc_filters.push_back(f);
    s->namespaces.push_back(ns);
  }
  p.after.monotonic_s = 3;
  return p;
}

TcAction gact(const std::string& verdict, uint64_t packets, uint64_t drops) {
  TcAction a;
  a.kind = "gact";
  a.index = 1;
  a.verdict = verdict;
  a.packets = packets;
  a.drops = drops;
  return a;
}

std::vector<Finding> filter_drops(const Report& r) {
  std::vector<Finding> out;
  for (const auto& f : r.findings)
    if (f.id == "qdisc.filter_drop") out.push_back(f);
  return out;
}

TEST(TcFilterRule, ActionDropThatDroppedInTheWindowIsCriticalWithItsFix) {
  Pair p = pair_with(gact("drop", 10, 10), gact("drop", 50, 50));
  Observations obs;
  auto fs = filter_drops(evaluate(&p.before, p.after, obs, {}));
  ASSERT_EQ(fs.size(), 1u);
  const Finding& f = fs[0];
  EXPECT_EQ(f.severity, Severity::critical);
  EXPECT_EQ(f.volume, 40u);
  EXPECT_TRUE(f.moved_in_window);
  EXPECT_EQ(f.netns, "srv");
  EXPECT_EQ(f.evidence.at(0).text,
            "tc filter: dev eth0 ingress pref 49152 matchall action gact drop");
  EXPECT_EQ(f.fix.at(0), "ip netns exec srv tc filter del dev eth0 ingress pref 49152");
  EXPECT_EQ(f.place.direction, "ingress");
}

// serve keeps a slim copy of each snapshot for its window, and the exporter and the snapshot JSON
// show the same filters: a filter's drops must survive all three.
TEST(TcFilterRule, FilterDropsSurviveServesWindowCopyJsonAndTheExporter) {
  Pair p = pair_with(gact("drop", 10, 10), gact("drop", 50, 50));
  Snapshot slim = window_copy(p.before);
  ASSERT_EQ(filter_drops(evaluate(&slim, p.after, Observations{}, {})).size(), 1u);
  EXPECT_EQ(layer_drop_deltas(slim.namespaces.at(0), p.after.namespaces.at(0)).at("qdisc"), 40u);

  json j = p.after;
  Snapshot back = j.get<Snapshot>();
  ASSERT_EQ(back.namespaces.at(0).tc_filters.size(), 1u);
  EXPECT_EQ(back.namespaces.at(0).tc_filters[0].actions.at(0).drops, 50u);
  EXPECT_EQ(json(back).dump(), j.dump());

  MetricsInput in;
  in.snapshot = &p.after;
  std::string text = render_metrics(in, MetricsFormat::prometheus).text;
  EXPECT_NE(
      text.find("pktloss_tc_action_drops_total{netns=\"srv\",device=\"eth0\",hook=\"ingress\","
                "filter=\"matchall\",prio=\"49152\",action=\"gact\",index=\"1\"} 50"),
      std::string::npos)
      << text;
}

TEST(TcFilterRule, PolicerOverItsRateNamesRateAndBurst) {
  TcAction b;
  b.kind = "police";
  b.verdict = "drop";
  b.police_rate_bps = 8000;
  b.police_burst_bytes = 1000;
  b.police_mtu = 2048;
  b.police_conform = "pipe";
  TcAction a = b;
  a.packets = 100;
  a.drops = 60;
  a.overlimits = 60;
  Pair p = pair_with(b, a, "u32");
  Observations obs;
  auto fs = filter_drops(evaluate(&p.before, p.after, obs, {}));
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].evidence.at(0).text,
            "tc filter: dev eth0 ingress pref 49152 u32 action police rate 8Kbit burst 1000b mtu "
            "2048b conform-exceed drop/pipe");
  EXPECT_NE(fs[0].summary.find("policer"), std::string::npos) << fs[0].summary;
  EXPECT_NE(fs[0].summary.find("60 of 100"), std::string::npos) << fs[0].summary;
}

TEST(TcFilterRule, HealthyFiltersAreQuiet) {
  // A pass action and a policer well under its rate: packets move, nothing is dropped.
  Observations obs;
  Pair pass = pair_with(gact("pass", 100, 0), gact("pass", 5000, 0));
  EXPECT_TRUE(filter_drops(evaluate(&pass.before, pass.after, obs, {})).empty());
  TcAction pol;
  pol.kind = "police";
  pol.verdict = "drop";
  pol.police_rate_bps = 1000000000;
  TcAction pol_after = pol;
  pol_after.packets = 5000;
  Pair police = pair_with(pol, pol_after, "u32");
  EXPECT_TRUE(filter_drops(evaluate(&police.before, police.after, obs, {})).empty());
  // A drop action that dropped before the window and not during it: nothing new.
  Pair old = pair_with(gact("drop", 30, 30), gact("drop", 30, 30));
  EXPECT_TRUE(filter_drops(evaluate(&old.before, old.after, obs, {})).empty());
}

TEST(TcFilterRule, ThresholdSplitsWarningFromCritical) {
  Observations obs;
  // 5 of 10000 packets (0.05%): a policer trimming a burst is a warning, not an outage.
  TcAction b;
  b.kind = "police";
  b.verdict = "drop";
  TcAction a = b;
  a.packets = 10000;
  a.drops = 5;
  Pair p = pair_with(b, a, "u32");
  auto fs = filter_drops(evaluate(&p.before, p.after, obs, {}));
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::warning);
  // Lifetime totals only (one snapshot): info.
  auto life = filter_drops(evaluate(nullptr, p.after, obs, {}));
  ASSERT_EQ(life.size(), 1u);
  EXPECT_EQ(life[0].severity, Severity::info);
}

}  // namespace
