// link.ring_full on driver statistics named as real drivers name them (docs/nic-counters.md):
// vmxnet3's "pkts rx OOB" (the VM lab's overflow), ena and mlx5 names that are not ring drops,
// and ixgbe's stats64 counter with its ethtool copy counted once.
#include <gtest/gtest.h>

#include "test_link_fixture.h"

using namespace pktloss;
using namespace pktloss::test;

namespace {

const Evidence* counter(const Finding& f, const std::string& name) {
  for (const auto& e : f.evidence)
    if (e.counter == name) return &e;
  return nullptr;
}

}  // namespace

TEST(RingFullDrivers, Vmxnet3OutOfBufferIsRingFullWithTheRingFix) {
  auto r = run(load_pair("link/ring_full_drivers.json"));
  auto fs = with_prefix(r, "link.");  // kept: find_id points into it
  const Finding* f = find_id(fs, "link.ring_full", "eth3");
  ASSERT_NE(f, nullptr) << json(r).dump(1);
  EXPECT_EQ(f->volume, 2318u);
  EXPECT_EQ(f->severity, Severity::critical);  // 2318 of 9368 frames
  ASSERT_EQ(f->evidence.size(), 1u) << json(*f).dump(1);
  const Evidence* oob = counter(*f, "pkts rx OOB");
  ASSERT_NE(oob, nullptr);
  EXPECT_EQ(oob->source, "ethtool");
  EXPECT_EQ(oob->delta, 2318u);
  EXPECT_EQ(counter(*f, "ring full"), nullptr) << "vmxnet3's TX ring full is no receive drop";
  ASSERT_FALSE(f->fix.empty());
  EXPECT_EQ(f->fix[0], "ip netns exec rx ethtool -G eth3 rx 4096");
}

TEST(RingFullDrivers, EnaMissedTxAndMlx5SteeringMissesAreNotRingFull) {
  auto r = run(load_pair("link/ring_full_drivers.json"));
  auto fs = with_prefix(r, "link.");
  EXPECT_EQ(find_id(fs, "link.ring_full", "ens5"), nullptr) << json(r).dump(1);
}

TEST(RingFullDrivers, Stats64CounterAndItsEthtoolCopyAreOneEvidence) {
  auto r = run(load_pair("link/ring_full_drivers.json"));
  auto fs = with_prefix(r, "link.");
  const Finding* f = find_id(fs, "link.ring_full", "ens6");
  ASSERT_NE(f, nullptr) << json(r).dump(1);
  ASSERT_EQ(f->evidence.size(), 2u) << json(*f).dump(1);
  EXPECT_EQ(f->evidence[0].source, "rtnetlink");
  EXPECT_EQ(f->evidence[0].counter, "rx_missed_errors");
  EXPECT_EQ(f->evidence[1].source, "ethtool");
  EXPECT_EQ(f->evidence[1].counter, "rx_no_buffer_count");
  EXPECT_EQ(f->volume, 800u);  // overlapping counters: the largest, not the sum
}
