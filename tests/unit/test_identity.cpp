// Identity across a window: a link re-created under its name, an nft handle reused by another
// rule after a flush. Their counters are not compared with the old object's, and one note says so.
#include <gtest/gtest.h>

#include "model/snapshot.h"
#include "rules/engine.h"
#include "rules/identity.h"

namespace pktloss {
namespace {

FirewallRule nft_rule(uint64_t handle, const std::string& text, uint64_t packets) {
  FirewallRule r;
  r.backend = "nftables";
  r.family = "inet";
  r.table = "t";
  r.chain = "input";
  r.handle = handle;
  r.position = 1;
  r.text = text;
  r.verdict = "drop";
  r.has_counter = true;
  r.packets = packets;
  return r;
}

TEST(Identity, SameRuleNeedsHandleAndTextForNftAndTextForLegacy) {
  auto a = nft_rule(2, "udp dport 81 counter drop", 10);
  auto b = nft_rule(2, "udp dport 82 counter drop", 15);
  EXPECT_TRUE(same_rule(a, a));
  EXPECT_FALSE(same_rule(a, b));
  auto moved = a;
  moved.handle = 9;
  EXPECT_FALSE(same_rule(a, moved));
  auto la = a, lb = a;
  la.backend = lb.backend = "iptables-legacy";
  lb.handle = 3;  // legacy: a rule number, shifts when a rule above goes
  EXPECT_TRUE(same_rule(la, lb));
}

TEST(Identity, NotesForARecreatedLinkAndAReusedHandle) {
  NetnsSnapshot before, after;
  Link l;
  l.name = "d0";
  l.ifindex = 5;
  before.links.push_back(l);
  l.ifindex = 7;
  after.links.push_back(l);
  before.firewall.rules.push_back(nft_rule(2, "udp dport 81 counter drop", 10));
  after.firewall.rules.push_back(nft_rule(2, "udp dport 82 counter drop", 15));
  auto notes = identity_notes(before, after);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NE(notes[0].find("d0 was deleted and re-created"), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("5 -> 7"), std::string::npos) << notes[0];
  EXPECT_NE(notes[1].find("1 rule handle now names another rule"), std::string::npos) << notes[1];
  EXPECT_TRUE(identity_notes(before, before).empty());
}

TEST(Identity, AReusedHandleIsCountedAsANewRule) {
  Snapshot s0, s1;
  s0.monotonic_s = 0;
  s1.monotonic_s = 3;
  NetnsSnapshot a, b;
  a.name = b.name = "ns";
  a.inode = b.inode = 42;
  a.firewall.rules.push_back(nft_rule(2, "udp dport 81 counter drop", 10));
  b.firewall.rules.push_back(nft_rule(2, "udp dport 82 counter drop", 15));
  s0.namespaces.push_back(a);
  s1.namespaces.push_back(b);
  Report r = evaluate(&s0, s1, Observations{}, RuleConfig{});
  bool found = false;
  for (const auto& f : r.findings)
    if (f.id == "netfilter.drop_rule") {
      found = true;
      ASSERT_FALSE(f.evidence.empty());
      EXPECT_EQ(f.evidence[0].delta.value_or(0), 15u);  // not 15 - 10
    }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace pktloss
