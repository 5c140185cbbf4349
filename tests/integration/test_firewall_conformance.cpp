// Conformance of pktloss's firewall text with the owning tools' own listings: every construct
// family of iptables' extensions/*.t and nftables' tests/py that this kernel accepts is loaded as
// a DROP rule in a test namespace, and pktloss's rendering must equal iptables-save / nft list
// ruleset byte for byte (the tests run those tools for the reference; pktloss never does). Every
// remaining difference must be flagged partial with a reason. Every delete fix is then pasted
// through sh -c and must remove exactly its rule; hostile comments must never run anything.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <sstream>

#include "firewall/collect_firewall.h"
#include "rules/netns_prefix.h"
#include "testnet.h"
#include "util/shell_command.h"

using pktloss::FirewallRule;
using pktloss::NetnsSnapshot;
using pktloss::testing::sh;
using pktloss::testing::TestNet;

namespace {

// Written from iptables-extensions(8): one or more rules per match/target family. "OUTPUT|"
// puts the rule on OUTPUT (owner); a spec with its own -j keeps it.
const std::vector<std::string> kIpv4 = {
    "",
    "-s 10.0.0.0/8",
    "! -s 10.1.2.3",
    "-d 192.168.0.0/255.255.0.255",
    "-i eth+",
    "-i +",
    "! -o lo",
    "-p tcp",
    "-p udp --dport 53",
    "-p tcp --sport 0:4",
    "-p tcp --dport 1024:",
    "-p tcp ! --dport 22",
    "-p tcp --tcp-flags SYN,RST SYN",
    "-p tcp --syn",
    "-p tcp ! --syn",
    "-p tcp --tcp-option 2",
    "-p udp --sport 67:68 --dport 68",
    "-p dccp",
    "-p sctp",
    "-p 47",
    "-p icmp --icmp-type echo-request",
    "-p icmp --icmp-type 3/4",
    "-f",
    "-m addrtype --src-type LOCAL",
    "-m addrtype --dst-type BROADCAST --limit-iface-in",
    "-m connbytes --connbytes 10:1000 --connbytes-dir both --connbytes-mode bytes",
    "-p tcp -m connlimit --connlimit-above 10",
    "-p tcp -m connlimit --connlimit-upto 5 --connlimit-mask 24 --connlimit-daddr",
    "-m conntrack --ctstate INVALID",
    "-m conntrack --ctstate NEW,ESTABLISHED --ctproto tcp",
    "-m conntrack --ctorigsrc 10.0.0.1 --ctexpire 10:100",
    "-m conntrack --ctstatus ASSURED --ctdir ORIGINAL",
    "-m state --state INVALID",
    "-m hashlimit --hashlimit-above 10/sec --hashlimit-name t1",
    "-m hashlimit --hashlimit-upto 100/min --hashlimit-burst 20 --hashlimit-mode srcip,dstport "
    "--hashlimit-name t2 --hashlimit-htable-expire 30000",
    "-m iprange --src-range 10.0.0.1-10.0.0.9",
    "-m iprange ! --dst-range 10.0.0.1-10.0.0.9",
    "-m length --length 1000:1500",
    "-m length ! --length 64",
    "-m mac --mac-source 00:11:22:33:44:55",
    "-m mark --mark 0x1",
    "-m mark --mark 0x1/0xff",
    "-m mark ! --mark 0x2",
    "-m limit --limit 5/sec",
    "-m limit --limit 10/min --limit-burst 20",
    "-m limit --limit 3/hour",
    "-p tcp -m multiport --dports 22,80,443",
    "-p tcp -m multiport --ports 1000:2000,3000",
    "OUTPUT|-m owner --uid-owner 0",
    "OUTPUT|-m owner --gid-owner 0 --suppl-groups",
    "OUTPUT|-m owner --socket-exists",
    "-m physdev --physdev-in eth0",
    "-m pkttype --pkt-type broadcast",
    "-m recent --rcheck --seconds 60 --name r1",
    "-m recent --set --name r2 --rsource",
    "-m recent --update --seconds 60 --hitcount 3 --rttl --name r3",
    "-m set --match-set s1 src",
    "-m string --string attack --algo bm",
    "-m string --hex-string \"|00 11|\" --algo kmp --from 10 --to 100",
    "-m string --string \"x y\" --algo bm --icase",
    "-p tcp -m tcpmss --mss 1000:1500",
    "-m time --timestart 09:00 --timestop 17:00 --weekdays Mon,Tue",
    "-m time --datestart 2020-01-01T00:00:00 --kerneltz",
    "-m tos --tos 0x10",
    "-m tos ! --tos 0x08/0x3f",
    "-m ttl --ttl-eq 64",
    "-m ttl --ttl-lt 10",
    "-m u32 --u32 \"0>>22&0x3C@12>>26&0x3F=0x10\"",
    "-m statistic --mode random --probability 0.3",
    "-m statistic --mode nth --every 3 --packet 1",
    "-m comment --comment \"hello world\"",
    "-m comment --comment x",
    "-m dscp --dscp 10",
    "-m dscp --dscp-class EF",
    "-p tcp -m ecn --ecn-tcp-cwr",
    "-p esp -m esp --espspi 100:200",
    "-p ah -m ah --ahspi 500",
    "-m helper --helper ftp",
    "-m realm --realm 10",
    "-m quota --quota 1000",
    "-m socket",
    "-m socket --transparent",
    "-m cpu --cpu 0",
    "-m devgroup --src-group 1",
    "-m cluster --cluster-total-nodes 2 --cluster-local-node 1 --cluster-hash-seed 0xdeadbeef",
    "-m policy --dir in --pol none",
    "-m policy --dir in --pol ipsec --strict --proto esp",
    "-m rpfilter",
    "-m rpfilter --loose --invert",
    "-m connmark --mark 0x1/0x1",
    "-p sctp -m sctp --dport 80 --chunk-types any INIT",
    "-p udp -m udp ! --sport 53",
    "-p icmp -m icmp --icmp-type any",
    "-m state --state RELATED,ESTABLISHED",
    "-p tcp -j REJECT --reject-with tcp-reset",
    "-j REJECT --reject-with icmp-host-prohibited",
    "-j REJECT",
    "COMMENT|x $(touch /tmp/plfw-PWNED) `touch /tmp/plfw-PWNED` $HOME 'q' \\ \"d\" ${IFS}",
    "",  // a duplicate of the first rule: -D by specification would remove the first one
};

const std::vector<std::string> kIpv6 = {
    "-s ::/64",
    "",
    "-s 2001:db8::/32",
    "! -d 2001:db8::1",
    "-i eth+",
    "-p ipv6-icmp --icmpv6-type echo-request",
    "-p icmpv6 --icmpv6-type 1/3",
    "-p tcp --dport 80",
    "-p udp --sport 1:2",
    "-m frag --fragid 100:200 --fragfirst",
    "-m frag --fraglast",
    "-m hbh --hbh-len 8",
    "-m dst --dst-len 8",
    "-m rt --rt-type 0 --rt-segsleft 0:2",
    "-m rt --rt-type 2",
    "-p ipv6-mh -m mh --mh-type binding-update",
    "-m ipv6header --header hop-by-hop,dst --soft",
    "-m ipv6header --header frag",
    "-m eui64",
    "-m hl --hl-eq 64",
    "-m hl --hl-lt 5",
    "-m ah --ahspi 100",
    "-m conntrack --ctstate INVALID",
    "-m limit --limit 1/sec",
    "-m mark --mark 0x5",
    "-m length --length 100:200",
    "-m comment --comment c",
    "-p udp -m multiport --sports 53,123",
    "-j REJECT --reject-with icmp6-adm-prohibited",
    "-p tcp -j REJECT --reject-with tcp-reset",
    "-m iprange --src-range 2001:db8::1-2001:db8::9",
    "-m statistic --mode random --probability 0.25",
    "-m string --string abc --algo bm",
    "-m policy --dir in --pol none",
    "-m rpfilter",
    "-m addrtype --src-type LOCAL",
    "-m hashlimit --hashlimit-above 5/sec --hashlimit-name v6",
    "-m recent --rcheck --name r6",
    "-m dscp --dscp 1",
    "COMMENT|`touch /tmp/plfw-PWNED` $(touch /tmp/plfw-PWNED) it's",
};

// Written from nft(8): expressions and statements of every family tests/py covers. A spec with
// its own verdict keeps it; others get " drop".
const std::vector<std::string> kNft = {
    "",
    "tcp dport 22",
    "tcp dport { 22, 80, 443 }",
    "tcp dport 1-1024",
    "tcp sport != 53",
    "udp dport 53 counter",
    "ip saddr 10.0.0.0/8",
    "ip saddr != 10.1.2.3",
    "ip6 saddr 2001:db8::/32",
    "ip daddr & 255.255.0.255 == 10.0.0.1",
    "meta mark 0x1",
    "meta mark & 0xff == 0x1",
    "meta mark set 0x2",
    "ct state invalid",
    "ct state { established, related }",
    "ct mark 0x5",
    "ct status dnat",
    "tcp flags syn",
    "tcp flags & (syn | ack) == syn",
    "tcp option maxseg exists",
    "tcp option sack-perm missing",
    "icmp type echo-request",
    "icmpv6 type { nd-neighbor-solicit }",
    "meta l4proto tcp",
    "iifname \"eth*\"",
    "iifname \"lo\"",
    "meta pkttype broadcast",
    "meta nfproto ipv6",
    "limit rate 10/second",
    "limit rate over 10 mbytes/second",
    "limit rate 1 kbytes/second burst 100 bytes",
    "limit rate over 5/minute burst 10 packets",
    "quota over 10 mbytes",
    "numgen random mod 10 < 3",
    "numgen inc mod 3 0",
    "ip ttl 64",
    "ip ttl < 10",
    "ip6 hoplimit 1",
    "ip length > 1000",
    "ip dscp ef",
    "ip6 dscp cs1",
    "ip protocol tcp",
    "ip frag-off & 0x1fff != 0",
    "ether saddr 00:11:22:33:44:55",
    "udp length < 20",
    "th dport 80",
    "sctp dport 80",
    "dccp dport 80",
    "esp spi 100",
    "ah spi 200",
    "exthdr hbh exists",
    "frag more-fragments 1",
    "rt type 0",
    "ipsec in reqid 1",
    "fib saddr . iif oif missing",
    "fib daddr type local",
    "osf name \"Linux\"",
    "log prefix \"x \" level warn",
    "log group 2",
    "socket transparent 1",
    "meta cpu 1",
    "meta iiftype ether",
    "meta length > 1000",
    "ct count over 10",
    "ct original ip saddr 10.0.0.1",
    "ct direction original",
    "meta l4proto tcp reject",
    "reject",
    "tcp dport 22 reject with tcp reset",
    "reject with icmpx type admin-prohibited",
    "meta nfproto ipv6 reject with icmpv6 type reject-route",
    "meta nfproto ipv4 reject with icmp type host-unreachable",
    "tcp dport vmap { 22 : drop, 80 : accept }",
    "drop comment \"never drop\"",
    "drop comment \"it's\"",
    "drop comment \"x $(touch /tmp/plfw-PWNED) `touch /tmp/plfw-PWNED` $HOME \\\"",
    "ip saddr @s1",
    "ip saddr . tcp dport { 10.0.0.1 . 22 }",
    "tcp dport vmap @m",
    "jump sub",
    "meta mark set ct mark",
    "ct mark set meta mark",
};

struct Tally {
  int refused = 0, rules = 0, identical = 0, flagged = 0, unflagged = 0, fixes_ok = 0,
      fixes_bad = 0;
  std::vector<std::string> diffs;
};

// Lines of `cmd` that start with "-A " (iptables-save), in order.
std::vector<std::string> save_lines(const TestNet& net, const std::string& tool) {
  auto r = net.in_server(tool + " -t filter");
  std::vector<std::string> out;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);)
    if (l.rfind("-A ", 0) == 0) out.push_back(l);
  return out;
}

std::vector<FirewallRule> collect(const TestNet& net, const std::string& backend) {
  NetnsSnapshot ns;
  pktloss::testing::run_in_named_netns(net.server(), [&] { pktloss::collect_firewall(ns); });
  std::vector<FirewallRule> out;
  for (const auto& r : ns.firewall.rules)
    if (r.backend == backend) out.push_back(r);
  return out;
}

void report(const std::string& what, const Tally& t) {
  double pct = t.rules ? 100.0 * t.identical / t.rules : 0;
  printf(
      "[conformance] %s: %d/%d identical (%.1f%%), %d flagged partial, %d unflagged diffs, "
      "fixes %d ok %d bad; %d specs refused by the kernel or the tool\n",
      what.c_str(), t.identical, t.rules, pct, t.flagged, t.unflagged, t.fixes_ok, t.fixes_bad,
      t.refused);
  for (const auto& d : t.diffs) printf("  %s\n", d.c_str());
}

// Loads each spec with `tool`, compares with `save`, then pastes every delete fix (last rule
// first, so rule numbers above it stay valid) and checks exactly that rule disappeared.
Tally run_iptables(const std::string& tool, const std::string& save, const std::string& backend,
                   const std::vector<std::string>& specs) {
  TestNet net;
  unlink("/tmp/plfw-PWNED");
  Tally t;
  for (const auto& s : specs) {
    std::string chain = "INPUT", spec = s;
    if (spec.rfind("OUTPUT|", 0) == 0) chain = "OUTPUT", spec = spec.substr(7);
    // Hostile comments are added with the quoting under test, so setting up runs nothing.
    if (spec.rfind("COMMENT|", 0) == 0)
      spec = "-m comment --comment " + pktloss::quote_arg(spec.substr(8));
    if (spec.find("-j ") == std::string::npos)
      spec += (spec.empty() ? "" : " ") + std::string("-j DROP");
    // The kernel (or the tool) may refuse some: they are skipped and counted.
    if (net.in_server(tool + " -A " + chain + " " + spec).exit_code != 0) ++t.refused;
  }
  std::vector<std::string> ref = save_lines(net, save);
  std::vector<FirewallRule> got = collect(net, backend);
  std::map<std::string, std::vector<std::string>> by_chain;
  for (const auto& l : ref) by_chain[l.substr(3, l.find(' ', 3) - 3)].push_back(l);
  for (const auto& r : got) {
    ++t.rules;
    const auto& lines = by_chain[r.chain];
    std::string want = r.position >= 1 && size_t(r.position) <= lines.size()
                           ? lines[static_cast<size_t>(r.position) - 1]
                           : "<missing>";
    if (r.text == want) {
      ++t.identical;
    } else {
      (r.partial_reason.empty() ? t.unflagged : t.flagged)++;
      t.diffs.push_back("want: " + want + "\n    got:  " + r.text + "\n    why:  " +
                        (r.partial_reason.empty() ? "<not flagged>" : r.partial_reason));
    }
  }
  for (auto it = got.rbegin(); it != got.rend(); ++it) {
    std::vector<std::string> before = save_lines(net, save);
    std::string fix = pktloss::command_in_netns(net.server(), it->delete_argv);
    auto r = sh(fix);
    std::vector<std::string> after = save_lines(net, save);
    // Exactly one line gone: the one at the rule's position in its chain.
    std::vector<std::string> expect = before;
    int seen = 0;
    for (auto e = expect.begin(); e != expect.end(); ++e)
      if (e->rfind("-A " + it->chain + " ", 0) == 0 && ++seen == it->position) {
        expect.erase(e);
        break;
      }
    if (r.exit_code == 0 && after == expect) {
      ++t.fixes_ok;
    } else {
      ++t.fixes_bad;
      t.diffs.push_back("fix failed: " + fix + " (exit " + std::to_string(r.exit_code) + ") " +
                        r.err);
    }
  }
  EXPECT_NE(access("/tmp/plfw-PWNED", F_OK), 0) << "a pasted fix ran a command from a comment";
  return t;
}

}  // namespace

TEST(FirewallConformance, IptablesNftMatchesIptablesSave) {
  Tally t = run_iptables("iptables-nft", "iptables-nft-save", "iptables-nft", kIpv4);
  report("iptables-nft", t);
  EXPECT_EQ(t.unflagged, 0);
  EXPECT_EQ(t.fixes_bad, 0);
  EXPECT_GE(100.0 * t.identical, 98.0 * t.rules);
}

TEST(FirewallConformance, IptablesLegacyMatchesIptablesSave) {
  Tally t = run_iptables("iptables-legacy", "iptables-legacy-save", "iptables-legacy", kIpv4);
  report("iptables-legacy", t);
  EXPECT_EQ(t.unflagged, 0);
  EXPECT_EQ(t.fixes_bad, 0);
  EXPECT_GE(100.0 * t.identical, 98.0 * t.rules);
}

TEST(FirewallConformance, Ip6tablesNftMatchesIp6tablesSave) {
  Tally t = run_iptables("ip6tables-nft", "ip6tables-nft-save", "ip6tables-nft", kIpv6);
  report("ip6tables-nft", t);
  EXPECT_EQ(t.unflagged, 0);
  EXPECT_EQ(t.fixes_bad, 0);
  EXPECT_GE(100.0 * t.identical, 98.0 * t.rules);
}

TEST(FirewallConformance, Ip6tablesLegacyMatchesIp6tablesSave) {
  Tally t = run_iptables("ip6tables-legacy", "ip6tables-legacy-save", "ip6tables-legacy", kIpv6);
  report("ip6tables-legacy", t);
  EXPECT_EQ(t.unflagged, 0);
  EXPECT_EQ(t.fixes_bad, 0);
  EXPECT_GE(100.0 * t.identical, 98.0 * t.rules);
}

TEST(FirewallConformance, NftMatchesNftListRuleset) {
  TestNet net;
  unlink("/tmp/plfw-PWNED");
  int refused = 0;
  auto setup = net.in_server(
      "nft add table inet t && nft add chain inet t c '{ type filter hook input priority 0; }' "
      "&& nft add set inet t s1 '{ type ipv4_addr; }' && nft add chain inet t sub "
      "&& nft add rule inet t sub tcp dport 9 drop "
      "&& nft add map inet t m '{ type inet_service : verdict; elements = { 23 : drop } }'");
  ASSERT_EQ(setup.exit_code, 0) << setup.err;
  for (const auto& s : kNft) {
    bool has_verdict = s.find("drop") != std::string::npos ||
                       s.find("reject") != std::string::npos ||
                       s.find("vmap") != std::string::npos || s.find("jump") != std::string::npos;
    std::string rule = s + (has_verdict ? "" : (s.empty() ? "drop" : " drop"));
    std::string file = net.workdir() + "/rule.nft";
    FILE* f = fopen(file.c_str(), "w");
    ASSERT_TRUE(f);
    fprintf(f, "add rule inet t c %s\n", rule.c_str());
    fclose(f);
    if (net.in_server("nft -f " + file).exit_code != 0) ++refused;  // refused: skipped
  }
  // Reference: nft's own listing, handles on, counter values off, keyed by handle.
  auto listing = net.in_server("nft -a -s list table inet t");
  std::map<uint64_t, std::string> ref;
  std::istringstream in(listing.out);
  for (std::string l; std::getline(in, l);) {
    auto p = l.rfind(" # handle ");
    if (p == std::string::npos || (p >= 2 && l.compare(p - 2, 2, " {") == 0)) continue;
    size_t a = l.find_first_not_of('\t');
    ref[std::stoull(l.substr(p + 10))] = l.substr(a, p - a);
  }
  std::vector<FirewallRule> got = collect(net, "nftables");
  Tally t;
  t.refused = refused;
  int vmaps = 0, via_jump = 0;
  for (const auto& r : got) {
    vmaps += r.text.find("vmap") != std::string::npos;
    via_jump += r.chain == "sub" && r.reached_via.find("jump sub") != std::string::npos;
  }
  EXPECT_EQ(vmaps, 2) << "both verdict maps that can drop are attributed";
  EXPECT_EQ(via_jump, 1) << "the drop in chain sub names the rule that jumps there";
  for (const auto& r : got) {
    ++t.rules;
    std::string want = ref.count(r.handle) ? ref[r.handle] : "<missing>";
    if (r.text == want) {
      ++t.identical;
    } else {
      (r.partial_reason.empty() ? t.unflagged : t.flagged)++;
      t.diffs.push_back("want: " + want + "\n    got:  " + r.text);
    }
  }
  // The add-counter fixes: nft must accept each, and the rule then counts.
  int counter_ok = 0, counter_bad = 0, counter_refused = 0;
  for (const auto& r : got) {
    if (r.has_counter) continue;
    if (r.add_counter_argv.empty()) {
      ++counter_refused;
      EXPECT_FALSE(r.counter_note.empty()) << r.text;
      continue;
    }
    auto res = sh(pktloss::command_in_netns(net.server(), r.add_counter_argv));
    auto after = net.in_server("nft -a -s list table inet t");
    bool counted = false;
    std::istringstream a(after.out);
    for (std::string l; std::getline(a, l);)
      if (l.size() > 10 &&
          l.compare(l.size() - (" # handle " + std::to_string(r.handle)).size(), std::string::npos,
                    " # handle " + std::to_string(r.handle)) == 0)
        counted = l.find("counter") != std::string::npos;
    if (res.exit_code == 0 && counted) {
      ++counter_ok;
    } else {
      ++counter_bad;
      t.diffs.push_back("add-counter failed: " + pktloss::command_line(r.add_counter_argv) + " " +
                        res.err);
    }
  }
  for (const auto& r : got) {
    auto res = sh(pktloss::command_in_netns(net.server(), r.delete_argv));
    auto after = net.in_server("nft -a list table inet t");
    bool gone = after.out.find("# handle " + std::to_string(r.handle) + "\n") == std::string::npos;
    if (res.exit_code == 0 && gone)
      ++t.fixes_ok;
    else
      ++t.fixes_bad, t.diffs.push_back("delete failed: handle " + std::to_string(r.handle));
  }
  report("nftables", t);
  printf(
      "[conformance] nftables add-counter fixes: %d accepted, %d failed, %d refused with a "
      "reason\n",
      counter_ok, counter_bad, counter_refused);
  EXPECT_EQ(counter_bad, 0);
  EXPECT_EQ(t.unflagged, 0);
  EXPECT_EQ(t.fixes_bad, 0);
  EXPECT_GE(100.0 * t.identical, 98.0 * t.rules);
  EXPECT_NE(access("/tmp/plfw-PWNED", F_OK), 0) << "a pasted fix ran a command from a comment";
}
