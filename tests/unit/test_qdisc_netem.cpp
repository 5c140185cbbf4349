// This kernel has no netem: netem parsing is tested with RTM_NEWQDISC messages built here and
// fed to qdisc_from_nlmsg, the function the collector's dump callback calls.
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <vector>

#include "collect/qdisc_parse.h"
#include "rules/qdisc_format.h"

using namespace pktloss;

namespace {

// A message in an aligned buffer of its own (copyable: the header is at the buffer's start).
struct Msg {
  std::vector<uint64_t> buf = std::vector<uint64_t>(1024, 0);
  nlmsghdr* nlh() { return reinterpret_cast<nlmsghdr*>(buf.data()); }
};

Msg new_msg(uint16_t type) {
  Msg m;
  mnl_nlmsg_put_header(m.buf.data())->nlmsg_type = type;
  return m;
}

// Microseconds in the kernel's psched ticks (64 ns each), as tc sends them.
uint32_t us2ticks(double us) {
  return static_cast<uint32_t>(us * 1000.0 / 64.0);
}

uint32_t prob(double pct) {
  return static_cast<uint32_t>(pct / 100.0 * 4294967295.0);
}

// Appends one attribute (header + payload, padded) to a raw byte buffer.
template <typename T>
void raw_attr(std::vector<uint8_t>& buf, uint16_t type, const T& payload) {
  nlattr h{static_cast<uint16_t>(NLA_HDRLEN + sizeof(T)), type};
  size_t at = buf.size();
  buf.resize(at + NLA_ALIGN(NLA_HDRLEN + sizeof(T)), 0);
  std::memcpy(buf.data() + at, &h, sizeof h);
  std::memcpy(buf.data() + at + NLA_HDRLEN, &payload, sizeof(T));
}

Msg qdisc_msg(const char* kind, const std::vector<uint8_t>& options, bool with_stats = true) {
  Msg m = new_msg(RTM_NEWQDISC);
  nlmsghdr* nlh = m.nlh();
  auto* t = static_cast<tcmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(tcmsg)));
  t->tcm_family = AF_UNSPEC;
  t->tcm_ifindex = 3;
  t->tcm_handle = 0x80010000;
  t->tcm_parent = TC_H_ROOT;
  mnl_attr_put_strz(nlh, TCA_KIND, kind);
  if (!options.empty()) mnl_attr_put(nlh, TCA_OPTIONS, options.size(), options.data());
  if (with_stats) {
    nlattr* st = mnl_attr_nest_start(nlh, TCA_STATS2);
    gnet_stats_basic basic{};
    basic.bytes = 70000;
    basic.packets = 70;
    gnet_stats_queue queue{};
    queue.drops = 30;
    queue.overlimits = 2;
    queue.qlen = 1;
    mnl_attr_put(nlh, TCA_STATS_BASIC, sizeof basic, &basic);
    mnl_attr_put(nlh, TCA_STATS_QUEUE, sizeof queue, &queue);
    mnl_attr_nest_end(nlh, st);
  }
  return m;
}

std::vector<uint8_t> netem_options(bool with_rate) {
  tc_netem_qopt q{};
  q.latency = us2ticks(100000);  // 100 ms, in the kernel's psched ticks as tc sends it
  q.jitter = us2ticks(10000);
  q.limit = 1000;
  q.loss = prob(30);
  q.duplicate = prob(2);
  std::vector<uint8_t> buf(NLA_ALIGN(sizeof q));
  std::memcpy(buf.data(), &q, sizeof q);
  tc_netem_corr corr{};
  corr.loss_corr = prob(25);
  corr.delay_corr = prob(20);
  raw_attr(buf, TCA_NETEM_CORR, corr);
  tc_netem_corrupt corrupt{};
  corrupt.probability = prob(1);
  raw_attr(buf, TCA_NETEM_CORRUPT, corrupt);
  tc_netem_reorder reorder{};
  reorder.probability = prob(5);
  reorder.correlation = prob(50);
  raw_attr(buf, TCA_NETEM_REORDER, reorder);
  if (with_rate) {
    tc_netem_rate rate{};
    rate.rate = 125000;  // bytes/s = 1 Mbit/s
    raw_attr(buf, TCA_NETEM_RATE, rate);
  }
  return buf;
}

double opt(const Qdisc& q, const char* k) {
  auto it = q.options.find(k);
  return it == q.options.end() ? -1 : it->second;
}

}  // namespace

TEST(QdiscNetemParse, AllOptionsFromACraftedMessage) {
  auto m = qdisc_msg("netem", netem_options(true));
  auto q = qdisc_from_nlmsg(m.nlh());
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->kind, "netem");
  EXPECT_EQ(q->ifindex, 3);
  EXPECT_TRUE(q->is_root);
  EXPECT_EQ(q->handle, 0x80010000u);
  EXPECT_NEAR(opt(*q, "loss_pct"), 30, 0.001);
  EXPECT_NEAR(opt(*q, "loss_correlation_pct"), 25, 0.001);
  EXPECT_NEAR(opt(*q, "delay_correlation_pct"), 20, 0.001);
  EXPECT_NEAR(opt(*q, "corrupt_pct"), 1, 0.001);
  EXPECT_NEAR(opt(*q, "duplicate_pct"), 2, 0.001);
  EXPECT_NEAR(opt(*q, "reorder_pct"), 5, 0.001);
  EXPECT_NEAR(opt(*q, "reorder_correlation_pct"), 50, 0.001);
  EXPECT_NEAR(opt(*q, "delay_us"), 100000, 100);
  EXPECT_NEAR(opt(*q, "jitter_us"), 10000, 100);
  EXPECT_EQ(opt(*q, "limit_pkts"), 1000);
  EXPECT_EQ(opt(*q, "rate_bps"), 1e6);
  EXPECT_EQ(q->stats.drops, 30u);
  EXPECT_EQ(q->stats.packets, 70u);
  EXPECT_EQ(q->stats.bytes, 70000u);
  EXPECT_EQ(q->stats.overlimits, 2u);
}

TEST(QdiscNetemParse, LossAboveHalfIsNotNegative) {
  // libnl returns the u32 probability as an int: 75% would read as a negative number.
  tc_netem_qopt qo{};
  qo.limit = 1000;
  qo.loss = prob(75);
  std::vector<uint8_t> buf(sizeof qo);
  std::memcpy(buf.data(), &qo, sizeof qo);
  auto q = qdisc_from_nlmsg(qdisc_msg("netem", buf).nlh());
  ASSERT_TRUE(q.has_value());
  EXPECT_NEAR(opt(*q, "loss_pct"), 75, 0.001);
  EXPECT_EQ(opt(*q, "corrupt_pct"), -1);  // zero probabilities are not options
}

TEST(QdiscNetemParse, TruncatedOptionsDoNotCrash) {
  auto full = netem_options(true);
  // Options cut inside the fixed struct, inside an attribute header, inside a payload.
  for (size_t cut :
       {size_t{4}, sizeof(tc_netem_qopt) + 2, sizeof(tc_netem_qopt) + 10, full.size() - 3}) {
    std::vector<uint8_t> part(full.begin(), full.begin() + cut);
    auto q = qdisc_from_nlmsg(qdisc_msg("netem", part).nlh());
    ASSERT_TRUE(q.has_value()) << cut;  // the qdisc itself is still known
    EXPECT_EQ(q->kind, "netem");
    EXPECT_EQ(q->stats.drops, 30u) << cut;  // and its counters
  }
}

TEST(QdiscNetemParse, AttributeLengthBeyondTheMessageDoesNotCrash) {
  auto opts = netem_options(false);
  // Claim the first nested attribute is far longer than what follows.
  auto* a = reinterpret_cast<nlattr*>(opts.data() + NLA_ALIGN(sizeof(tc_netem_qopt)));
  a->nla_len = 4000;
  auto q = qdisc_from_nlmsg(qdisc_msg("netem", opts).nlh());
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->kind, "netem");
}

TEST(QdiscParse, UnknownKindKeptByNameWithoutOptions) {
  std::vector<uint8_t> junk = {1, 2, 3, 4, 5, 6, 7, 8};
  auto q = qdisc_from_nlmsg(qdisc_msg("cake_future", junk).nlh());
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->kind, "cake_future");
  EXPECT_TRUE(q->options.empty());
  EXPECT_EQ(q->stats.drops, 30u);
}

TEST(QdiscParse, WrongTypeOrShortHeaderIsRejected) {
  Msg link = new_msg(RTM_NEWLINK);
  mnl_nlmsg_put_extra_header(link.nlh(), sizeof(ifinfomsg));
  EXPECT_FALSE(qdisc_from_nlmsg(link.nlh()).has_value());

  Msg shorty = new_msg(RTM_NEWQDISC);
  mnl_nlmsg_put_extra_header(shorty.nlh(), 4);  // 4 bytes: less than a tcmsg
  EXPECT_FALSE(qdisc_from_nlmsg(shorty.nlh()).has_value());
  EXPECT_FALSE(qdisc_from_bytes(shorty.buf.data(), 3).has_value());  // shorter than a header
}

TEST(QdiscParse, TbfOptionsFromACraftedMessage) {
  tc_tbf_qopt t{};
  t.rate.rate = 125000;  // bytes/s
  t.limit = 3000;
  t.buffer = us2ticks(static_cast<uint32_t>(1600.0 * 1e6 / 125000));  // 1600 bytes of time
  std::vector<uint8_t> buf;
  raw_attr(buf, TCA_TBF_PARMS, t);
  auto q = qdisc_from_nlmsg(qdisc_msg("tbf", buf).nlh());
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(opt(*q, "rate_bps"), 1e6);
  EXPECT_EQ(opt(*q, "limit_bytes"), 3000);
  EXPECT_NEAR(opt(*q, "burst_bytes"), 1600, 16);
}

TEST(QdiscNetemParse, NoOptionsAttributeAtAllDoesNotCrash) {
  // libnl 3.7's netem parser dereferences missing options; found by the random test below.
  auto q = qdisc_from_nlmsg(qdisc_msg("netem", {}).nlh());
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->kind, "netem");
  EXPECT_TRUE(q->options.empty());
  EXPECT_EQ(q->stats.drops, 30u);
}

TEST(QdiscParse, RandomOptionBytesNeverCrashAnyKnownKind) {
  // Deterministic pseudo-random garbage (no timing, no seed from the clock): every parser libnl
  // and we run on TCA_OPTIONS must survive it.
  uint32_t x = 12345;
  auto next = [&x] {
    x = x * 1103515245u + 12345u;
    return static_cast<uint8_t>(x >> 16);
  };
  for (const char* kind : {"netem", "tbf", "htb", "fq_codel", "pfifo", "bfifo", "cake_x"}) {
    for (int round = 0; round < 200; ++round) {
      std::vector<uint8_t> junk(next() % 96);
      for (auto& b : junk) b = next();
      if (round % 3 == 0 && junk.size() >= 4) {  // plausible attribute headers, wild lengths
        junk[0] = next() % 64;
        junk[1] = 0;
        junk[2] = next() % 8;
        junk[3] = 0;
      }
      auto q = qdisc_from_nlmsg(qdisc_msg(kind, junk, round % 2 == 0).nlh());
      if (q) {
        EXPECT_EQ(q->kind, kind);
      }
    }
  }
}

// Loss models, slots and ECN, parsed and printed back: the expected strings are what tc printed
// for the same options on Debian's 6.1 in the VM lab.
std::vector<uint8_t> netem_fixed(uint32_t latency_us) {
  tc_netem_qopt q{};
  q.latency = us2ticks(latency_us);
  q.limit = 1000;
  std::vector<uint8_t> buf(NLA_ALIGN(sizeof q));
  std::memcpy(buf.data(), &q, sizeof q);
  return buf;
}

template <typename Model>
void loss_nest(std::vector<uint8_t>& buf, uint16_t type, const Model& model) {
  std::vector<uint8_t> inner;
  raw_attr(inner, type, model);
  nlattr h{static_cast<uint16_t>(NLA_HDRLEN + inner.size()),
           static_cast<uint16_t>(TCA_NETEM_LOSS | NLA_F_NESTED)};
  size_t at = buf.size();
  buf.resize(at + NLA_HDRLEN + inner.size(), 0);
  std::memcpy(buf.data() + at, &h, sizeof h);
  std::memcpy(buf.data() + at + NLA_HDRLEN, inner.data(), inner.size());
}

TEST(QdiscNetemParse, GilbertElliottRateSlotAndEcnAsTcPrintsThem) {
  auto buf = netem_fixed(5000);
  tc_netem_gemodel ge{prob(1), prob(10), 0, 0};  // h = 0: no loss-free draws in the bad state
  loss_nest(buf, NETEM_LOSS_GE, ge);
  tc_netem_rate rate{};
  rate.rate = 125000;
  raw_attr(buf, TCA_NETEM_RATE, rate);
  tc_netem_slot slot{};
  slot.min_delay = 1000000;
  slot.max_delay = 2000000;
  raw_attr(buf, TCA_NETEM_SLOT, slot);
  raw_attr(buf, TCA_NETEM_ECN, uint32_t{1});
  auto q = qdisc_from_nlmsg(qdisc_msg("netem", buf).nlh());
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(opt(*q, "loss_model"), 2);
  EXPECT_EQ(format_qdisc_options(*q),
            "netem limit 1000 delay 5ms loss gemodel p 1% r 10% 1-h 100% 1-k 0% rate 1Mbit slot "
            "1ms 2ms ecn");
  // The fix keeps the delay, rate and slot; ecn says how loss is done, and none is left.
  EXPECT_EQ(netem_without_loss(*q), "netem limit 1000 delay 5ms rate 1Mbit slot 1ms 2ms");
  // `loss gemodel 1% 10% 70% 0.1%`: the kernel holds h = 30%, tc shows 1-h 70%.
  auto all4 = netem_fixed(0);
  loss_nest(all4, NETEM_LOSS_GE, tc_netem_gemodel{prob(1), prob(10), prob(30), prob(0.1)});
  auto g = qdisc_from_nlmsg(qdisc_msg("netem", all4).nlh());
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(format_qdisc_options(*g), "netem limit 1000 loss gemodel p 1% r 10% 1-h 70% 1-k 0.1%");
}

TEST(QdiscNetemParse, FourStateModelAndSlotLimitsAsTcPrintsThem) {
  auto buf = netem_fixed(0);
  tc_netem_gimodel gi{prob(1), prob(10), prob(20), prob(0.5), prob(5)};
  loss_nest(buf, NETEM_LOSS_GI, gi);
  tc_netem_slot slot{};
  slot.min_delay = 1000000;
  slot.max_delay = 2000000;
  slot.max_packets = 10;
  slot.max_bytes = 1000;
  raw_attr(buf, TCA_NETEM_SLOT, slot);
  auto q = qdisc_from_nlmsg(qdisc_msg("netem", buf).nlh());
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(format_qdisc_options(*q),
            "netem limit 1000 loss state p13 1% p31 10% p32 20% p23 5% p14 0.5% slot 1ms 2ms "
            "packets 10 bytes 1000");
  // tc's defaults for "loss state 3%" print their zeros too.
  auto zeros = netem_fixed(0);
  loss_nest(zeros, NETEM_LOSS_GI, tc_netem_gimodel{prob(3), prob(97), 0, 0, 0xffffffffu});
  auto z = qdisc_from_nlmsg(qdisc_msg("netem", zeros).nlh());
  ASSERT_TRUE(z.has_value());
  EXPECT_EQ(format_qdisc_options(*z),
            "netem limit 1000 loss state p13 3% p31 97% p32 0% p23 100% p14 0%");
}

TEST(QdiscNetemParse, SlotDistributionAsTcPrintsIt) {
  auto buf = netem_fixed(0);
  tc_netem_slot slot{};
  slot.dist_delay = 5000000;
  slot.dist_jitter = 1000000;
  raw_attr(buf, TCA_NETEM_SLOT, slot);
  auto q = qdisc_from_nlmsg(qdisc_msg("netem", buf).nlh());
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(format_qdisc_options(*q), "netem limit 1000 slot distribution 5ms 1ms");
}

TEST(QdiscNetemParse, TruncatedLossModelIsIgnored) {
  auto buf = netem_fixed(0);
  loss_nest(buf, NETEM_LOSS_GE, uint32_t{7});  // 4 bytes where a gemodel needs 16
  auto q = qdisc_from_nlmsg(qdisc_msg("netem", buf).nlh());
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(opt(*q, "loss_model"), -1);
  EXPECT_EQ(format_qdisc_options(*q), "netem limit 1000");
}
