// netfilter rules: attribution of drops to the exact rule/policy, honest thresholds, conntrack.
#include <gtest/gtest.h>

#include "rules/rule_families.h"

using namespace pktloss;

namespace {

FirewallRule stat_rule(const std::string& chain, uint64_t handle, uint64_t packets) {
  FirewallRule r;
  r.backend = "iptables-nft";
  r.family = "ip";
  r.table = "filter";
  r.chain = chain;
  r.handle = handle;
  r.position = 1;
  r.text = "-A " + chain + " -m statistic --mode random --probability 0.29999999981 -j DROP";
  r.verdict = "drop";
  r.has_counter = true;
  r.packets = packets;
  r.bytes = packets * 60;
  r.traits = {"random", "matches-all"};
  r.delete_argv = {"iptables",      "-t",
                   "filter",        "-D",
                   chain,           "-m",
                   "statistic",     "--mode",
                   "random",        "--probability",
                   "0.29999999981", "-j",
                   "DROP"};
  return r;
}

struct Pair {
  NetnsSnapshot before, after;
  Snapshot snap;
  Observations obs;
  RuleConfig cfg;

  Findings run(bool windowed = true) {
    Findings out;
    RuleInput in{windowed ? &before : nullptr, after, snap, nullptr, 1.0, obs, cfg};
    netfilter_rules(in, out);
    return out;
  }
};

// Copies: the findings of p.run() are a temporary.
struct Found : std::vector<Finding> {
  const Finding* operator[](size_t i) const { return &at(i); }
};
Found with_id(const Findings& fs, const std::string& id) {
  Found out;
  for (const auto& f : fs)
    if (f.id == id) out.push_back(f);
  return out;
}

}  // namespace

TEST(NetfilterRules, ClassicPairGivesOneFindingPerRule) {
  Pair p;
  p.before.firewall.rules = {stat_rule("INPUT", 2, 10), stat_rule("OUTPUT", 4, 3)};
  p.after.firewall.rules = {stat_rule("INPUT", 2, 16), stat_rule("OUTPUT", 4, 9)};
  p.after.name = "srv";
  auto fs = with_id(p.run(), "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 2u);
  for (size_t i = 0; i < fs.size(); ++i) {
    const Finding* f = fs[i];
    EXPECT_EQ(f->severity, Severity::critical);
    EXPECT_TRUE(f->moved_in_window);
    EXPECT_EQ(f->volume, 6u);
    EXPECT_EQ(f->layer, Layer::netfilter);
    ASSERT_FALSE(f->evidence.empty());
    EXPECT_EQ(f->evidence[0].counter, "packets");
    EXPECT_EQ(f->evidence[0].delta, 6u);
    EXPECT_TRUE(f->evidence[0].in_window);
    EXPECT_NE(f->summary.find("30%"), std::string::npos) << f->summary;
    ASSERT_EQ(f->fix.size(), 1u);
  }
  // The fix runs in the rule's namespace.
  EXPECT_EQ(fs[0]->fix[0],
            "ip netns exec srv iptables -t filter -D INPUT -m statistic --mode random "
            "--probability 0.29999999981 -j DROP");
  EXPECT_EQ(fs[1]->object, "ip filter OUTPUT rule 1 (handle 4)");
}

TEST(NetfilterRules, DropRuleThatDidNotMoveInTheWindowIsNotAWarning) {
  Pair p;
  p.before.firewall.rules = {stat_rule("INPUT", 2, 10)};
  p.after.firewall.rules = {stat_rule("INPUT", 2, 10)};
  for (const auto& f : p.run()) EXPECT_EQ(f.severity, Severity::info) << f.summary;
  FirewallRule quiet = stat_rule("INPUT", 2, 0);
  quiet.traits.clear();  // an ordinary DROP rule that never matched says nothing at all
  p.before.firewall.rules = p.after.firewall.rules = {quiet};
  EXPECT_TRUE(p.run().empty());
}

TEST(NetfilterRules, LifetimeCountIsWeakerEvidence) {
  Pair p;
  p.after.firewall.rules = {stat_rule("INPUT", 2, 42)};
  auto fs = with_id(p.run(/*windowed=*/false), "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0]->severity, Severity::warning);
  EXPECT_FALSE(fs[0]->moved_in_window);
  EXPECT_FALSE(fs[0]->evidence[0].in_window);
  EXPECT_FALSE(fs[0]->evidence[0].delta.has_value());
  EXPECT_EQ(fs[0]->volume, 42u);
}

TEST(NetfilterRules, RuleAddedDuringTheWindowCountsFromZero) {
  Pair p;
  p.after.firewall.rules = {stat_rule("INPUT", 9, 5)};
  auto fs = with_id(p.run(), "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0]->volume, 5u);
}

TEST(NetfilterRules, CounterResetIsNotAHugeDelta) {
  Pair p;
  p.before.firewall.rules = {stat_rule("INPUT", 2, 1'000'000)};
  p.after.firewall.rules = {stat_rule("INPUT", 2, 7)};
  auto fs = with_id(p.run(), "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0]->volume, 7u);
  EXPECT_TRUE(fs[0]->evidence[0].reset);
}

TEST(NetfilterRules, LegacyRulesAreMatchedByTextWhenPositionsShift) {
  FirewallRule r = stat_rule("INPUT", 1, 100);
  r.backend = "iptables-legacy";
  Pair p;
  p.before.firewall.rules = {r};
  r.handle = r.position = 2;  // a rule was inserted above it
  r.packets = 130;
  p.after.firewall.rules = {r};
  auto fs = with_id(p.run(), "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0]->volume, 30u);
  EXPECT_EQ(fs[0]->object, "ip filter INPUT rule 2");
}

TEST(NetfilterRules, RejectOnServicePortNamesTheListener) {
  FirewallRule r;
  r.backend = "iptables-nft";
  r.family = "ip";
  r.table = "filter";
  r.chain = "INPUT";
  r.handle = 3;
  r.position = 1;
  r.text = "-A INPUT -p tcp -m tcp --dport 80 -j REJECT --reject-with tcp-reset";
  r.verdict = "reject";
  r.has_counter = true;
  r.traits = {"reject-service-port"};
  r.dports = {80};
  r.delete_argv = {"iptables", "-t",  "filter",  "-D", "INPUT", "-p",     "tcp",
                   "-m",       "tcp", "--dport", "80", "-j",    "REJECT", "--reject-with",
                   "tcp-reset"};
  Pair p;
  p.before.firewall.rules = {r};
  r.packets = 4;
  p.after.firewall.rules = {r};
  Socket s;
  s.proto = "tcp";
  s.state = "LISTEN";
  s.local_addr = "0.0.0.0";
  s.local_port = 80;
  s.owners = {{123, "nginx"}};
  p.after.sockets = {s};
  auto fs = with_id(p.run(), "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0]->severity, Severity::critical);
  EXPECT_NE(fs[0]->summary.find("rejects connections to port 80"), std::string::npos);
  EXPECT_NE(fs[0]->explanation.find("nginx"), std::string::npos) << fs[0]->explanation;
}

TEST(NetfilterRules, UnmeasuredRuleSuggestsACounter) {
  FirewallRule r;
  r.backend = "nftables";
  r.family = "inet";
  r.table = "guard";
  r.chain = "in";
  r.handle = 7;
  r.position = 1;
  r.text = "tcp dport 80 numgen random mod 10 < 3 drop";
  r.verdict = "drop";
  r.traits = {"random"};
  r.delete_argv = {"nft", "delete", "rule", "inet", "guard", "in", "handle", "7"};
  r.add_counter_argv = {"nft",
                        "replace rule inet guard in handle 7 tcp dport 80 numgen random "
                        "mod 10 < 3 counter drop"};
  Pair p;
  p.before.firewall.rules = p.after.firewall.rules = {r};
  auto fs = with_id(p.run(), "netfilter.unmeasured_rule");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0]->severity, Severity::warning);  // random: it certainly drops
  ASSERT_EQ(fs[0]->fix.size(), 2u);
  EXPECT_EQ(fs[0]->fix[0],
            "nft 'replace rule inet guard in handle 7 tcp dport 80 numgen random mod 10 < 3 "
            "counter drop'");
  EXPECT_EQ(fs[0]->fix[1], "nft delete rule inet guard in handle 7");
}

TEST(NetfilterRules, DropPolicyWithCountersIsAttributed) {
  FirewallChain c;
  c.backend = "iptables-nft";
  c.family = "ip";
  c.table = "filter";
  c.chain = "INPUT";
  c.hook = "input";
  c.policy = "drop";
  c.has_counter = true;
  c.policy_packets = 3;
  c.set_policy_argv = {"iptables", "-t", "filter", "-P", "INPUT", "ACCEPT"};
  Pair p;
  p.before.firewall.chains = {c};
  c.policy_packets = 15;
  p.after.firewall.chains = {c};
  auto fs = with_id(p.run(), "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0]->volume, 12u);
  EXPECT_EQ(fs[0]->object, "ip filter INPUT policy drop");
  EXPECT_EQ(fs[0]->fix[0], "iptables -t filter -P INPUT ACCEPT");
  // Accept policy, or a drop policy that did not move: nothing above info.
  p.before.firewall.chains = p.after.firewall.chains;
  for (const auto& f : p.run()) EXPECT_EQ(f.severity, Severity::info);
}

TEST(NetfilterRules, CtInvalidRuleIsNamedWithConntrackInvalidCount) {
  FirewallRule r = stat_rule("INPUT", 5, 2);
  r.text = "-A INPUT -m conntrack --ctstate INVALID -j DROP";
  r.traits = {"ct-invalid"};
  Pair p;
  p.before.firewall.rules = {r};
  p.before.conntrack = {true, 10, 1000, 1000, {{"invalid", 3}}};
  r.packets = 9;
  p.after.firewall.rules = {r};
  p.after.conntrack = {true, 10, 1000, 1000, {{"invalid", 10}}};
  auto fs = with_id(p.run(), "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0]->severity, Severity::warning);
  bool named = false;
  for (const auto& e : fs[0]->evidence) named = named || (e.counter == "invalid" && e.delta == 7u);
  EXPECT_TRUE(named);
}

TEST(NetfilterRules, ConntrackQuietAtHalfFull) {
  Pair p;
  p.before.conntrack = {true, 500, 1000, 1000, {{"drop", 0}, {"early_drop", 0}}};
  p.after.conntrack = {true, 510, 1000, 1000, {{"drop", 0}, {"early_drop", 0}}};
  EXPECT_TRUE(with_id(p.run(), "netfilter.conntrack_full").empty());
  EXPECT_TRUE(with_id(p.run(false), "netfilter.conntrack_full").empty());
  p.after.conntrack.available = false;
  EXPECT_TRUE(p.run().empty());
}

TEST(NetfilterRules, ConntrackNearFullWarns) {
  Pair p;
  p.before.conntrack = {true, 900, 1000, 1000, {{"drop", 0}}};
  p.after.conntrack = {true, 950, 1000, 1000, {{"drop", 0}}};
  auto fs = with_id(p.run(), "netfilter.conntrack_full");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0]->severity, Severity::warning);
}

TEST(NetfilterRules, ConntrackFullWithDropsSizesTheFixFromThePeak) {
  Pair p;
  p.before.conntrack = {true, 200, 256, 128, {{"drop", 4}, {"early_drop", 0}}};
  p.after.conntrack = {true, 256, 256, 128, {{"drop", 31}, {"early_drop", 2}}};
  auto fs = with_id(p.run(), "netfilter.conntrack_full");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0]->severity, Severity::critical);
  EXPECT_TRUE(fs[0]->moved_in_window);
  EXPECT_EQ(fs[0]->volume, 29u);  // 27 dropped + 2 evicted
  ASSERT_GE(fs[0]->fix.size(), 2u);
  EXPECT_EQ(fs[0]->fix[0], "sysctl -w net.netfilter.nf_conntrack_max=512");
  // The host's ratio of 1 bucket per 2 entries is kept.
  EXPECT_EQ(fs[0]->fix[1], "echo 256 > /sys/module/nf_conntrack/parameters/hashsize");
  bool drop_ev = false;
  for (const auto& e : fs[0]->evidence)
    drop_ev = drop_ev || (e.counter == "drop" && e.delta == 27u);
  EXPECT_TRUE(drop_ev);
}

// A hostile comment in a rule reaches the fix only inside one single-quoted argument.
TEST(NetfilterRules, HostileCommentStaysInsideItsArgument) {
  FirewallRule r = stat_rule("INPUT", 3, 0);
  std::string comment = "x $(touch PWNED) `id` $HOME 'q' \"d\" \\";
  r.delete_argv = {"iptables", "-t",        "filter", "-D", "INPUT", "-m",
                   "comment",  "--comment", comment,  "-j", "DROP"};
  Pair p;
  p.before.firewall.rules = {r};
  r.packets = 5;
  p.after.firewall.rules = {r};
  p.after.name = "srv";
  auto fs = with_id(p.run(), "netfilter.drop_rule");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0]->fix[0],
            "ip netns exec srv iptables -t filter -D INPUT -m comment --comment "
            "'x $(touch PWNED) `id` $HOME '\\''q'\\'' \"d\" \\' -j DROP");
}
