// The report's per-namespace view (namespaces, links, finding places) the path picture draws.
#include <gtest/gtest.h>

#include "model/json.h"
#include "rules/engine.h"
#include "test_link_fixture.h"

using namespace pktloss;
using namespace pktloss::test;

namespace {

Link veth(const std::string& name, uint32_t mtu, const std::string& peer,
          const std::string& peer_ns, uint32_t peer_mtu, const std::string& master = "") {
  Link l;
  l.name = name;
  l.kind = "veth";
  l.admin_up = true;
  l.mtu = mtu;
  l.peer_name = peer;
  l.peer_netns = peer_ns;
  l.peer_mtu = peer_mtu;
  l.link_netnsid = 0;
  l.master_name = master;
  return l;
}

const NamespaceView* view(const Report& r, const std::string& name) {
  for (const auto& v : r.namespaces)
    if (v.name == name) return &v;
  return nullptr;
}

}  // namespace

TEST(ReportPaths, OneViewPerNamespaceWithItsOwnLayers) {
  auto pair = load_pair("link/mtu_low_server.json");
  // The fixture has the server only: add the client end so both columns exist.
  NetnsSnapshot cli;
  cli.name = "cli";
  cli.inode = 7;
  cli.links.push_back(veth("eth0", 1500, "eth0", "srv", 100));
  pair.after.namespaces.push_back(cli);
  if (pair.before) pair.before->namespaces.push_back(cli);
  Observations obs;
  ProbeResult p;
  p.kind = "http";
  p.source_netns = "cli";
  p.target = "10.0.0.2:80";
  Socket listener;
  listener.proto = "tcp";
  listener.state = "LISTEN";
  listener.local_addr = "0.0.0.0";
  listener.local_port = 80;
  for (auto& ns : pair.after.namespaces)
    if (ns.name == "srv") ns.sockets.push_back(listener);
  obs.probes.push_back(p);
  Report r = evaluate(pair.before ? &*pair.before : nullptr, pair.after, obs, RuleConfig{});

  ASSERT_EQ(r.namespaces.size(), 2u);
  const NamespaceView* srv = view(r, "srv");
  const NamespaceView* c = view(r, "cli");
  ASSERT_TRUE(srv && c);
  EXPECT_EQ(c->role, "probing");
  EXPECT_EQ(srv->role, "observed");
  EXPECT_TRUE(srv->probed) << "nginx-like listener on the probed port";
  EXPECT_FALSE(c->probed);

  // A second namespace listening on the same wildcard port: either could be the target.
  NetnsSnapshot replica = pair.after.namespaces[0];
  replica.name = "srv2";
  replica.inode = 99;
  replica.sockets = {listener};
  pair.after.namespaces.push_back(replica);
  Report two = evaluate(nullptr, pair.after, obs, RuleConfig{});
  for (const auto& v : two.namespaces) EXPECT_FALSE(v.probed) << v.name;
  // Bound to the probed address itself, it is the target again.
  for (auto& ns : pair.after.namespaces)
    if (ns.name == "srv2") ns.sockets[0].local_addr = "10.0.0.2";
  Report exact = evaluate(nullptr, pair.after, obs, RuleConfig{});
  for (const auto& v : exact.namespaces) EXPECT_EQ(v.probed, v.name == "srv2") << v.name;
  EXPECT_EQ(srv->layers.size(), std::size(kAllLayers));
  EXPECT_NE(srv->layers.at("link").status, LayerStatus::ok);
  EXPECT_EQ(c->layers.at("link").status, LayerStatus::ok);
  // The aggregate stays (the JSON contract).
  EXPECT_EQ(r.layers.at("link").status, srv->layers.at("link").status);

  // The veth pair is one link, seen from both ends.
  ASSERT_EQ(r.links.size(), 1u);
  EXPECT_EQ(r.links[0].kind, "veth");
  std::set<std::string> ends = {r.links[0].a.netns + "/" + std::to_string(r.links[0].a.mtu),
                                r.links[0].b.netns + "/" + std::to_string(r.links[0].b.mtu)};
  EXPECT_EQ(ends, (std::set<std::string>{"srv/100", "cli/1500"}));

  // The finding says where: the device with the low MTU.
  const Finding* mtu = find_id(r.findings, "link.mtu_low");
  ASSERT_TRUE(mtu);
  EXPECT_EQ(mtu->place.dev, "eth0");
  EXPECT_EQ(mtu->place.mtu, 100u);
}

TEST(ReportPaths, BridgePortsAndWires) {
  Snapshot s;
  NetnsSnapshot sw, a;
  sw.name = "sw";
  Link br;
  br.name = "br0";
  br.kind = "bridge";
  br.admin_up = true;
  sw.links.push_back(br);
  sw.links.push_back(veth("pa", 1500, "eth0", "a", 1500, "br0"));
  a.name = "a";
  a.links.push_back(veth("eth0", 1500, "pa", "sw", 1500));
  Link ens;
  ens.name = "ens1";
  ens.admin_up = true;
  ens.mtu = 9000;
  a.links.push_back(ens);
  s.namespaces = {sw, a};
  Report r = evaluate(nullptr, s, Observations{}, RuleConfig{});
  ASSERT_EQ(r.links.size(), 2u) << json(r.links).dump();
  EXPECT_EQ(r.links[0].kind, "bridge");
  EXPECT_EQ(r.links[0].via, "br0");
  EXPECT_EQ(r.links[1].kind, "wire");
  EXPECT_EQ(r.links[1].a.dev, "ens1");
  EXPECT_TRUE(r.links[1].b.netns.empty());
}

TEST(ReportPaths, JsonRoundTripKeepsNamespacesLinksAndPlaces) {
  Report r;
  NamespaceView v;
  v.name = "srv";
  v.layers["qdisc"] = {7, LayerStatus::fault};
  r.namespaces.push_back(v);
  PathLink pl;
  pl.a = {"cli", "eth0", 1500};
  pl.b = {"srv", "eth0", 100};
  r.links.push_back(pl);
  Finding f;
  f.id = "qdisc.drops";
  f.layer = Layer::qdisc;
  f.place.dev = "eth0";
  f.place.direction = "egress";
  f.place.qdisc = "tbf 8001:";
  r.findings.push_back(f);
  Finding bare;
  bare.id = "transport.retransmits";
  bare.layer = Layer::transport;
  r.findings.push_back(bare);

  json j = r;
  EXPECT_EQ(j["namespaces"][0]["layers"]["qdisc"]["drops"], 7);
  EXPECT_EQ(j["links"][0]["b"]["mtu"], 100);
  EXPECT_EQ(j["findings"][0]["place"], json::parse(R"({"dev":"eth0","direction":"egress",
      "qdisc":"tbf 8001:"})"));
  EXPECT_FALSE(j["findings"][1].contains("place")) << "an empty place is left out";
  Report back = j.get<Report>();
  EXPECT_EQ(back.namespaces[0].layers.at("qdisc").status, LayerStatus::fault);
  EXPECT_EQ(back.links[0].a.dev, "eth0");
  EXPECT_EQ(back.findings[0].place.qdisc, "tbf 8001:");
  // Reports written before these fields load with them empty.
  Report old = json::parse(R"({"findings":[]})").get<Report>();
  EXPECT_TRUE(old.namespaces.empty() && old.links.empty());
}
