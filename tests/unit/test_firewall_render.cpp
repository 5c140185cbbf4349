// The firewall model from fixture rulesets (libnftables JSON + raw xt blobs captured from a real
// namespace): every candidate rule is rendered exactly as iptables-save / nft print it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "firewall/ipt_render.h"
#include "firewall/nft_listing.h"
#include "firewall/nft_render.h"
#include "firewall/ruleset.h"
#include "firewall/xt_decode.h"

using namespace pktloss;
using nlohmann::json;

namespace {

std::string slurp(const std::string& rel) {
  std::ifstream f(std::string(PKTLOSS_FIXTURES) + "/firewall/" + rel);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<uint8_t> unhex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

NftRawFacts raw_from(const json& j) {
  NftRawFacts raw;
  if (j.contains("rule_xt"))
    for (auto it = j.at("rule_xt").begin(); it != j.at("rule_xt").end(); ++it)
      for (const auto& b : it.value())
        raw.rule_xt[it.key()].push_back(
            XtBlob{b.at("kind"), b.at("name"), b.at("revision"), unhex(b.at("info_hex"))});
  if (j.contains("chain_counters"))
    for (auto it = j.at("chain_counters").begin(); it != j.at("chain_counters").end(); ++it)
      raw.chain_counters[it.key()] =
          ChainCounters{it.value().at("packets"), it.value().at("bytes")};
  return raw;
}

Firewall load_mixed() {
  json fx = json::parse(slurp("ruleset_mixed.json"));
  Firewall fw;
  parse_nft_ruleset(fx.at("ruleset"), raw_from(fx.at("raw")), fw);
  return fw;
}

const FirewallRule* find_rule(const Firewall& fw, const std::string& family,
                              const std::string& table, const std::string& chain, uint64_t handle) {
  for (const auto& r : fw.rules)
    if (r.family == family && r.table == table && r.chain == chain && r.handle == handle) return &r;
  return nullptr;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST(FirewallRender, IptablesNftRulesMatchIptablesSaveLineForLine) {
  Firewall fw = load_mixed();
  std::string save4 = slurp("ruleset_mixed.iptables-save");
  std::string save6 = slurp("ruleset_mixed.ip6tables-save");
  int checked = 0;
  for (const auto& r : fw.rules) {
    if (r.backend != "iptables-nft" && r.backend != "ip6tables-nft") continue;
    const std::string& save = r.backend == "iptables-nft" ? save4 : save6;
    EXPECT_NE(save.find("\n" + r.text + "\n"), std::string::npos) << r.text;
    EXPECT_FALSE(has(r.traits, "partially-rendered")) << r.text;
    ++checked;
  }
  // 10 DROP/REJECT rules in ip filter (INPUT, OUTPUT, BLOCK) and 1 in ip6 filter.
  EXPECT_EQ(checked, 11);
}

TEST(FirewallRender, ClassicStatisticPairGivesTwoCandidatesWithExactDeletes) {
  Firewall fw = load_mixed();
  const FirewallRule* in = find_rule(fw, "ip", "filter", "INPUT", 2);
  const FirewallRule* out = find_rule(fw, "ip", "filter", "OUTPUT", 4);
  ASSERT_TRUE(in && out);
  EXPECT_EQ(in->text, "-A INPUT -m statistic --mode random --probability 0.29999999981 -j DROP");
  EXPECT_EQ(in->delete_command,
            "iptables -t filter -D INPUT -m statistic --mode random --probability 0.29999999981 "
            "-j DROP");
  EXPECT_EQ(out->delete_command,
            "iptables -t filter -D OUTPUT -m statistic --mode random --probability "
            "0.29999999981 -j DROP");
  EXPECT_TRUE(has(in->traits, "random"));
  EXPECT_TRUE(has(in->traits, "matches-all"));  // a random share of *all* packets
  EXPECT_EQ(in->backend, "iptables-nft");
  EXPECT_EQ(in->position, 1);
  EXPECT_TRUE(in->has_counter);
}

TEST(FirewallRender, RejectOnServicePortAndMatchAllAreFlagged) {
  Firewall fw = load_mixed();
  const FirewallRule* rej = find_rule(fw, "ip", "filter", "INPUT", 5);
  ASSERT_TRUE(rej);
  EXPECT_EQ(rej->text, "-A INPUT -p tcp -m tcp --dport 80 -j REJECT --reject-with tcp-reset");
  EXPECT_EQ(rej->verdict, "reject");
  EXPECT_TRUE(has(rej->traits, "reject-service-port"));
  EXPECT_EQ(rej->dports, std::vector<uint16_t>{80});
  const FirewallRule* all = find_rule(fw, "ip", "filter", "INPUT", 10);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->text, "-A INPUT -j DROP");
  EXPECT_TRUE(has(all->traits, "matches-all"));
  const FirewallRule* inv = find_rule(fw, "ip", "filter", "INPUT", 8);
  ASSERT_TRUE(inv);
  EXPECT_EQ(inv->text, "-A INPUT -m state --state INVALID -j DROP");
  EXPECT_TRUE(has(inv->traits, "ct-invalid"));
}

TEST(FirewallRender, AcceptJumpAndLogRulesAreNotCandidates) {
  Firewall fw = load_mixed();
  for (const auto& r : fw.rules) EXPECT_TRUE(r.verdict == "drop" || r.verdict == "reject");
  EXPECT_EQ(find_rule(fw, "ip", "filter", "INPUT", 9), nullptr);    // -p tcp --dport 22 ACCEPT
  EXPECT_EQ(find_rule(fw, "ip", "filter", "INPUT", 13), nullptr);   // -j BLOCK
  EXPECT_EQ(find_rule(fw, "ip", "filter", "OUTPUT", 14), nullptr);  // LOG
}

TEST(FirewallRender, NativeNftRulesInNftSyntaxWithHandleDeletes) {
  Firewall fw = load_mixed();
  const FirewallRule* ng = find_rule(fw, "inet", "guard", "in", 2);
  ASSERT_TRUE(ng);
  EXPECT_EQ(ng->backend, "nftables");
  EXPECT_EQ(ng->text, "tcp dport 80 numgen random mod 10 < 3 counter drop");
  EXPECT_EQ(ng->delete_command, "nft delete rule inet guard in handle 2");
  EXPECT_TRUE(has(ng->traits, "random"));
  EXPECT_FALSE(has(ng->traits, "matches-all"));  // only tcp dport 80
  const FirewallRule* ct = find_rule(fw, "inet", "guard", "in", 3);
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->text, "ct state invalid drop");
  EXPECT_FALSE(ct->has_counter);
  EXPECT_TRUE(has(ct->traits, "ct-invalid"));
  const FirewallRule* set = find_rule(fw, "inet", "guard", "in", 5);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->text, "ip saddr { 1.2.3.4, 5.6.7.0/24 } reject with icmp admin-prohibited");
  const FirewallRule* tls = find_rule(fw, "inet", "guard", "in", 7);
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->text,
            "iifname \"veth*\" tcp dport { 443, 8443 } counter reject with tcp reset comment "
            "\"no tls\"");
  EXPECT_TRUE(has(tls->traits, "reject-service-port"));
  EXPECT_EQ(find_rule(fw, "inet", "guard", "in", 8), nullptr);  // established accept
}

TEST(FirewallRender, EveryFamilyIsRead) {
  Firewall fw = load_mixed();
  std::set<std::string> families;
  for (const auto& r : fw.rules) families.insert(r.family);
  EXPECT_EQ(families, (std::set<std::string>{"ip", "ip6", "inet", "netdev", "bridge", "arp"}));
  const FirewallRule* nd = find_rule(fw, "netdev", "edge", "ing", 2);
  ASSERT_TRUE(nd);
  EXPECT_EQ(nd->text, "ip daddr 203.0.113.0/24 counter drop");
  const FirewallRule* arp = find_rule(fw, "arp", "a", "in", 2);
  ASSERT_TRUE(arp);
  EXPECT_EQ(arp->text, "counter drop");
  EXPECT_TRUE(has(arp->traits, "matches-all"));
}

TEST(FirewallRender, DropPoliciesWithAndWithoutCounters) {
  Firewall fw = load_mixed();
  const FirewallChain* fwd = nullptr;
  const FirewallChain* guard = nullptr;
  for (const auto& c : fw.chains) {
    if (c.family == "ip" && c.chain == "FORWARD") fwd = &c;
    if (c.family == "inet" && c.chain == "in") guard = &c;
  }
  ASSERT_TRUE(fwd && guard);
  EXPECT_EQ(fwd->policy, "drop");
  EXPECT_TRUE(fwd->has_counter);  // iptables-nft base chains carry counters
  EXPECT_EQ(fwd->set_policy_command, "iptables -t filter -P FORWARD ACCEPT");
  EXPECT_EQ(guard->policy, "drop");
  EXPECT_FALSE(guard->has_counter);
  EXPECT_EQ(guard->set_policy_command, "nft 'chain inet guard in { policy accept; }'");
}

TEST(FirewallRender, MissingXtBlobsFallBackToTheExactNftHandle) {
  json fx = json::parse(slurp("ruleset_mixed.json"));
  Firewall fw;
  parse_nft_ruleset(fx.at("ruleset"), NftRawFacts{}, fw);  // libnftnl dump failed
  const FirewallRule* in = find_rule(fw, "ip", "filter", "INPUT", 2);
  ASSERT_TRUE(in);
  EXPECT_EQ(in->text, "-A INPUT -m statistic -j DROP");
  EXPECT_TRUE(has(in->traits, "partially-rendered"));
  EXPECT_EQ(in->delete_command, "nft delete rule ip filter INPUT handle 2");
}

TEST(FirewallRender, MalformedRulesetsNeverThrow) {
  for (const char* text :
       {"null", "[]", "{}", "{\"nftables\": 5}", "{\"nftables\": [1, \"x\", {\"rule\": 3}]}",
        "{\"nftables\": [{\"rule\": {\"family\": 1, \"expr\": [{\"drop\": null}]}}]}",
        "{\"nftables\": [{\"rule\": {\"expr\": [{\"match\": 7}, {\"reject\": 1}]}}]}",
        "{\"nftables\": [{\"chain\": {\"hook\": 3, \"policy\": []}}]}"}) {
    Firewall fw;
    EXPECT_NO_THROW(parse_nft_ruleset(json::parse(text), NftRawFacts{}, fw)) << text;
  }
}

TEST(XtDecode, ShortOrUnknownBlobsAreIncompleteNotGuessed) {
  for (const char* name : {"statistic", "tcp", "udp", "multiport", "conntrack", "state", "limit",
                           "comment", "weird"}) {
    for (size_t len : {0u, 1u, 3u}) {
      XtBlob b{"match", name, 1, std::vector<uint8_t>(len, 0xff)};
      XtDecoded d = decode_xt_match(b, "ip");
      EXPECT_FALSE(d.complete && (len == 0 || std::string(name) == "weird")) << name << len;
      EXPECT_NE(d.text.find(name), std::string::npos) << name;
    }
  }
  XtBlob rej{"target", "REJECT", 0, {99, 0, 0, 0}};
  EXPECT_FALSE(decode_xt_target(rej, "ip").complete);  // reject-with out of range
  XtBlob mp{"match", "multiport", 1, std::vector<uint8_t>(64, 0)};
  mp.info[1] = 200;  // count beyond XT_MULTI_PORTS
  EXPECT_FALSE(decode_xt_match(mp, "ip").complete);
}

TEST(XtDecode, StatisticNthAndLimitAsIptablesSavePrintsThem) {
  // struct xt_statistic_info: mode=1 (nth), flags=0, every=2 (prints 3), packet=1.
  XtBlob nth{"match", "statistic", 0, {1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}};
  EXPECT_EQ(decode_xt_match(nth, "ip").text, " -m statistic --mode nth --every 3 --packet 1");
  // struct xt_rateinfo: avg = 10000/10 (10/sec), burst 7.
  XtBlob lim{"match", "limit", 0, {0xe8, 0x03, 0, 0, 7, 0, 0, 0}};
  EXPECT_EQ(decode_xt_match(lim, "ip").text, " -m limit --limit 10/sec --limit-burst 7");
}

TEST(IptRender, NativeSetOfPortsIsMarkedIncompleteInsteadOfWrong) {
  json exprs = json::parse(R"([{"match": {"op": "==", "left": {"payload": {"protocol": "tcp",
      "field": "dport"}}, "right": {"set": [80, 443]}}}, {"counter": {"packets": 1, "bytes": 2}},
      {"drop": null}])");
  IptRendered r = render_ipt_rule(exprs, {}, "ip");
  EXPECT_EQ(r.verdict, "drop");
  EXPECT_FALSE(r.complete);
}

TEST(FirewallRender, EbtablesAndArptablesNftInTheirOwnSyntax) {
  json fx = json::parse(slurp("ruleset_ebarp.json"));
  Firewall fw;
  parse_nft_ruleset(fx.at("ruleset"), raw_from(fx.value("raw", json::object())), fw);
  std::string save = slurp("ruleset_ebarp.save");
  int rendered = 0, fallback = 0;
  for (const auto& r : fw.rules) {
    ASSERT_TRUE(r.backend == "ebtables-nft" || r.backend == "arptables-nft") << r.backend;
    if (has(r.traits, "partially-rendered")) {
      // ebtables' --ip-proto lives in an xt blob we do not decode: exact nft handle instead.
      EXPECT_EQ(r.delete_command.rfind("nft delete rule bridge filter INPUT handle ", 0), 0u);
      ++fallback;
      continue;
    }
    EXPECT_NE(save.find("\n" + r.text + "\n"), std::string::npos) << r.text;
    ++rendered;
  }
  EXPECT_EQ(rendered, 3);
  EXPECT_EQ(fallback, 1);
  const FirewallRule* arp = nullptr;
  for (const auto& r : fw.rules)
    if (r.backend == "arptables-nft") arp = &r;
  ASSERT_TRUE(arp);
  EXPECT_EQ(arp->delete_command, "arptables -t filter -D INPUT -j DROP -s 10.0.0.1");
}

TEST(XtDecode, ArbitraryKernelBytesNeverCrash) {
  // Deterministic pseudo-random blobs of every size up to 300 bytes, for every decoder.
  uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1103515245u + 12345u, static_cast<uint8_t>(seed >> 16); };
  for (const char* name : {"statistic", "tcp", "udp", "multiport", "conntrack", "state", "limit",
                           "comment", "REJECT", "LOG", "MARK"}) {
    for (uint32_t rev = 0; rev < 4; ++rev) {
      for (size_t len = 0; len <= 300; len += 7) {
        XtBlob b{"match", name, rev, {}};
        for (size_t i = 0; i < len; ++i) b.info.push_back(next());
        EXPECT_NO_THROW(decode_xt_match(b, "ip"));
        b.kind = "target";
        EXPECT_NO_THROW(decode_xt_target(b, "ip6"));
      }
    }
  }
}

// Verdict maps that can answer drop, and drops reached through jump/goto, are attributed.
TEST(FirewallRender, VerdictMapsAndJumpsAreAttributed) {
  json rs = json::parse(R"({"nftables": [
    {"table": {"family": "inet", "name": "t", "handle": 1}},
    {"chain": {"family": "inet", "table": "t", "name": "c", "handle": 1, "type": "filter",
               "hook": "input", "prio": 0, "policy": "accept"}},
    {"chain": {"family": "inet", "table": "t", "name": "sub", "handle": 2}},
    {"map": {"family": "inet", "name": "m", "table": "t", "type": "inet_service",
             "handle": 3, "map": "verdict", "elem": [[22, {"drop": null}]]}},
    {"rule": {"family": "inet", "table": "t", "chain": "c", "handle": 4, "expr": [
      {"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}},
                "data": {"set": [[22, {"drop": null}], [80, {"accept": null}]]}}}]}},
    {"rule": {"family": "inet", "table": "t", "chain": "c", "handle": 5, "expr": [
      {"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": "@m"}}]}},
    {"rule": {"family": "inet", "table": "t", "chain": "c", "handle": 6, "expr": [
      {"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}},
                "data": {"set": [[80, {"accept": null}]]}}}]}},
    {"rule": {"family": "inet", "table": "t", "chain": "c", "handle": 7, "expr": [
      {"jump": {"target": "sub"}}]}},
    {"rule": {"family": "inet", "table": "t", "chain": "sub", "handle": 8, "expr": [
      {"drop": null}]}}
  ]})");
  Firewall fw;
  NftRawFacts raw;
  raw.has_rule_text = true;
  raw.rule_text[nft_rule_key("inet", "t", "c", 4)] = "tcp dport vmap { 22 : drop, 80 : accept }";
  parse_nft_ruleset(rs, raw, fw);
  const FirewallRule* anon = find_rule(fw, "inet", "t", "c", 4);
  const FirewallRule* named = find_rule(fw, "inet", "t", "c", 5);
  ASSERT_TRUE(anon && named);
  EXPECT_EQ(find_rule(fw, "inet", "t", "c", 6), nullptr);  // its map never drops
  EXPECT_EQ(anon->verdict, "drop");
  EXPECT_TRUE(has(anon->traits, "verdict-map"));
  EXPECT_EQ(anon->text, "tcp dport vmap { 22 : drop, 80 : accept }");  // nft's own text
  EXPECT_TRUE(anon->add_counter_argv.empty());
  EXPECT_FALSE(anon->counter_note.empty());
  EXPECT_TRUE(has(named->traits, "partially-rendered"));  // not in the listing we gave
  const FirewallRule* sub = find_rule(fw, "inet", "t", "sub", 8);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->reached_via, "inet t c rule handle 7: jump sub");
}

// The add-counter fix goes before the verdict, never into a comment that says "drop".
TEST(FirewallRender, AddCounterIsPlacedByStructure) {
  json rule = json::parse(R"({"family": "inet", "table": "t", "chain": "c", "handle": 2,
    "comment": "never drop", "expr": [{"match": {"op": "==", "left": {"payload":
    {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"drop": null}]})");
  std::string why;
  EXPECT_EQ(nft_text_with_counter(rule, "tcp dport 22 drop comment \"never drop\"", why),
            "tcp dport 22 counter drop comment \"never drop\"");
  json rej = json::parse(R"({"expr": [{"reject": {"type": "icmpv6", "expr": "reject-route"}}]})");
  EXPECT_EQ(nft_text_with_counter(rej, "reject with icmpv6 reject-route", why),
            "counter reject with icmpv6 reject-route");
  EXPECT_EQ(nft_text_with_counter(rej, "meta nfproto ipv6 reject with icmpv6 reject-route", why),
            "meta nfproto ipv6 counter reject with icmpv6 reject-route");
  EXPECT_EQ(nft_text_with_counter(rej, "something else", why), std::nullopt);
  EXPECT_FALSE(why.empty());
}

// libnftables' text listing is split into rule lines keyed like the JSON rules.
TEST(FirewallRender, NftListingLinesAreKeyedByHandle) {
  std::string listing =
      "table inet t { # handle 5\n"
      "\tset s1 { # handle 3\n"
      "\t\ttype ipv4_addr\n"
      "\t\telements = { 10.0.0.1, 10.0.0.2,\n"
      "\t\t\t     10.0.0.3 }\n"
      "\t}\n"
      "\tchain \"my chain\" { # handle 1\n"
      "\t\ttype filter hook input priority filter; policy accept;\n"
      "\t\ttcp dport 22 counter drop comment \"x # handle 9\" # handle 2\n"
      "\t\tip saddr @s1 drop # handle 4\n"
      "\t}\n"
      "}\n"
      "table ip filter { # handle 6\n"
      "\tchain INPUT { # handle 1\n"
      "\t\tdrop # handle 2\n"
      "\t}\n"
      "}\n";
  auto m = parse_nft_listing(listing);
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m[nft_rule_key("inet", "t", "my chain", 2)],
            "tcp dport 22 counter drop comment \"x # handle 9\"");
  EXPECT_EQ(m[nft_rule_key("inet", "t", "my chain", 4)], "ip saddr @s1 drop");
  EXPECT_EQ(m[nft_rule_key("ip", "filter", "INPUT", 2)], "drop");
}
