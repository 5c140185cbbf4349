// serve's slim window copy: used as the earlier snapshot it gives exactly the findings, notes and
// layer counters of the full snapshot (serve/window_snapshot.h says what it keeps and why).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "model/json.h"
#include "rules/engine.h"
#include "serve/layer_counters.h"
#include "serve/window_snapshot.h"

using namespace pktloss;

namespace {

json load(const std::string& rel) {
  std::ifstream f(std::string(PKTLOSS_FIXTURES) + "/" + rel);
  EXPECT_TRUE(f.good()) << rel;
  return json::parse(f);
}

// The whole report as JSON: findings with their evidence and fixes, notes, layer summaries.
void expect_same_report(const Snapshot& before, const Snapshot& after, const std::string& what) {
  Snapshot slim = window_copy(before);
  Report full_r = evaluate(&before, after, Observations{}, RuleConfig{});
  Report slim_r = evaluate(&slim, after, Observations{}, RuleConfig{});
  EXPECT_EQ(json(slim_r).dump(1), json(full_r).dump(1)) << what;
  for (const auto& ns : after.namespaces) {
    const NetnsSnapshot* b = before.find(ns.inode);
    const NetnsSnapshot* s = slim.find(ns.inode);
    ASSERT_EQ(b == nullptr, s == nullptr) << what;
    if (b) {
      EXPECT_EQ(layer_drop_deltas(*s, ns), layer_drop_deltas(*b, ns)) << what << " " << ns.name;
    }
  }
}

FirewallRule drop_rule(const std::string& backend, uint64_t handle, uint64_t packets) {
  FirewallRule r;
  r.backend = backend;
  r.family = "ip";
  r.table = "filter";
  r.chain = "INPUT";
  r.handle = handle;
  r.position = static_cast<int>(handle);
  r.text = "-A INPUT -p udp --dport " + std::to_string(1000 + handle) + " -j DROP";
  r.verdict = "drop";
  r.has_counter = true;
  r.packets = packets;
  r.bytes = packets * 60;
  r.traits = {"matches-port"};
  r.dports = {static_cast<uint16_t>(1000 + handle)};
  r.delete_argv = {"iptables", "-D", "INPUT", "-p", "udp", "-j", "DROP"};
  r.delete_command = "iptables -D INPUT -p udp -j DROP";
  return r;
}

}  // namespace

TEST(WindowSnapshot, SameFindingsOnEveryLinkAndQdiscFixture) {
  for (const char* rel :
       {"link/counters_window.json", "link/healthy_pair.json", "link/lifetime_counters.json",
        "link/mtu_low_bridge_port.json", "link/mtu_low_client_peer.json",
        "link/mtu_low_server.json", "qdisc/healthy.json", "qdisc/htb_child.json",
        "qdisc/netem_loss.json", "qdisc/tbf_drops.json"}) {
    json j = load(rel);
    if (!j.contains("before")) continue;
    expect_same_report(j.at("before").get<Snapshot>(), j.at("after").get<Snapshot>(), rel);
  }
}

TEST(WindowSnapshot, SameFindingsOnEveryProcScenario) {
  json all = load("rules/proc_scenarios.json");
  int n = 0;
  for (const auto& [name, s] : all.items()) {
    if (!s.is_object() || !s.contains("before") || !s.contains("after")) continue;
    Snapshot before, after;
    before.namespaces.push_back(s.at("before").get<NetnsSnapshot>());
    after.namespaces.push_back(s.at("after").get<NetnsSnapshot>());
    after.monotonic_s = 2;
    expect_same_report(before, after, name);
    ++n;
  }
  EXPECT_GT(n, 5);
}

TEST(WindowSnapshot, FirewallSocketsAndOwnersPairAsBefore) {
  Snapshot before, after;
  NetnsSnapshot ns;
  ns.name = "srv";
  ns.inode = 9;
  ns.firewall.rules = {drop_rule("iptables-nft", 4, 100), drop_rule("iptables-legacy", 2, 50)};
  FirewallChain c;
  c.backend = "iptables-legacy";
  c.family = "ip";
  c.table = "filter";
  c.chain = "INPUT";
  c.hook = "input";
  c.policy = "drop";
  c.has_counter = true;
  c.policy_packets = 7;
  c.set_policy_argv = {"iptables", "-P", "INPUT", "ACCEPT"};
  ns.firewall.chains = {c};
  Socket s;
  s.proto = "udp";
  s.family = 2;
  s.state = "UNCONN";
  s.local_addr = "0.0.0.0";
  s.local_port = 5353;
  s.inode = 777;
  s.rcvbuf = 212992;
  s.rmem_alloc = 212992;
  s.drops = 10;
  s.owners = {{42, "avahi-daemon"}};
  ns.sockets = {s};
  ns.snmp = {{"Udp.RcvbufErrors", 10}, {"Udp.InDatagrams", 1000}};
  ns.sysctls = {{"net.core.rmem_max", "212992"}, {"net.core.rmem_default", "212992"}};
  ns.routes = {Route{2, "default", "unicast", 254, "eth0", "10.0.0.1", 0}};
  ns.notes = {"conntrack: not available"};
  before.namespaces = {ns};
  before.monotonic_s = 10;
  ns.firewall.rules[0].packets = 400;
  ns.firewall.rules[1].packets = 90;
  ns.firewall.chains[0].policy_packets = 30;
  ns.sockets[0].drops = 500;
  ns.snmp = {{"Udp.RcvbufErrors", 500}, {"Udp.InDatagrams", 5000}};
  after.namespaces = {ns};
  after.monotonic_s = 20;
  expect_same_report(before, after, "firewall and sockets");

  // The slim copy dropped what only the later snapshot is read for.
  Snapshot slim = window_copy(before);
  const NetnsSnapshot& k = slim.namespaces.at(0);
  EXPECT_TRUE(k.routes.empty());
  EXPECT_TRUE(k.sysctls.empty());
  EXPECT_TRUE(k.sockets.at(0).owners.empty());
  EXPECT_TRUE(k.firewall.rules.at(0).delete_argv.empty());
  // Both kinds keep their text: nft rules pair by handle and text (handles are reused after a
  // flush), legacy rules by text alone.
  EXPECT_EQ(k.firewall.rules.at(0).text, before.namespaces.at(0).firewall.rules.at(0).text);
  EXPECT_FALSE(k.firewall.rules.at(1).text.empty());
}
