// The link, qdisc and route collectors against real namespaces (in-process snapshot): veth peer
// across namespaces, 15-byte names, bridge master, ethtool stats, qdisc tree, routes of several
// tables and failing neighbours.
#include <gtest/gtest.h>

#include "netns/netns.h"
#include "session/snapshot_taker.h"
#include "testnet.h"

using namespace pktloss;
using pktloss::testing::TestNet;

namespace {

NetnsSnapshot snap(const std::string& name) {
  CollectOptions o;
  o.sockets = false;
  o.firewall = false;
  o.ethtool_software_links = true;  // veth is the only driver with ethtool stats here
  Snapshot s = take_snapshot({netns_by_name(name)}, o);
  EXPECT_EQ(s.namespaces.size(), 1u);
  return s.namespaces.at(0);
}

const Link* link_named(const NetnsSnapshot& ns, const std::string& n) {
  for (const auto& l : ns.links)
    if (l.name == n) return &l;
  return nullptr;
}

}  // namespace

TEST(LinkCollect, VethPeerInAnotherNamespaceBridgeMasterAndLongNames) {
  TestNet net;
  const std::string longname = "vethfifteen1234";  // IFNAMSIZ - 1 = 15 bytes
  ASSERT_EQ(longname.size(), 15u);
  for (const char* cmd : {"ip link set dev eth0 mtu 1400", "ip link add lqbr0 type bridge",
                          "ip link add vethfifteen1234 type veth peer name vp2",
                          "ip link set vethfifteen1234 master lqbr0", "ip link set lqbr0 up",
                          "ip link set vethfifteen1234 up"}) {
    auto r = net.in_client(cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
  }
  net.in_server("ip link set dev eth0 mtu 1300");

  NetnsSnapshot c = snap(net.client());
  const Link* eth0 = link_named(c, "eth0");
  ASSERT_NE(eth0, nullptr);
  EXPECT_EQ(eth0->kind, "veth");
  EXPECT_EQ(eth0->mtu, 1400u);
  EXPECT_GE(eth0->link_netnsid, 0);
  EXPECT_EQ(eth0->peer_name, "eth0");
  EXPECT_EQ(eth0->peer_mtu, 1300u);
  EXPECT_EQ(eth0->peer_netns, net.server());
  EXPECT_TRUE(eth0->peer_stats.has_value()) << "the peer's stats64, read across namespaces";
  EXPECT_TRUE(eth0->admin_up);
  EXPECT_EQ(eth0->operstate, "up");
  EXPECT_TRUE(eth0->driver_stats.count("peer_ifindex")) << "veth has ethtool -S stats";

  const Link* lng = link_named(c, longname);
  ASSERT_NE(lng, nullptr);
  EXPECT_EQ(lng->master_name, "lqbr0");
  EXPECT_GT(lng->master_mtu, 0u);
  EXPECT_EQ(lng->peer_name, "vp2");  // same-namespace peer
  EXPECT_FALSE(lng->driver_stats.empty()) << "ethtool works on a 15-byte name";
  const Link* br = link_named(c, "lqbr0");
  ASSERT_NE(br, nullptr);
  EXPECT_EQ(br->kind, "bridge");
  EXPECT_TRUE(c.notes.empty()) << c.notes.front();
}

TEST(LinkCollect, RoutesOfEveryTableAndFailingNeighbours) {
  TestNet net;
  for (const char* cmd :
       {"ip route add blackhole 10.99.0.0/16", "ip route add unreachable 10.98.0.0/16 table 100",
        "ip route add prohibit 10.96.0.0/16", "ip route add 10.97.0.0/16 via 10.77.0.2 mtu 1400",
        "ip neigh replace 10.77.0.99 dev eth0 nud failed"}) {
    auto r = net.in_client(cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
  }
  NetnsSnapshot c = snap(net.client());
  auto find = [&](const std::string& dst) -> const Route* {
    for (const auto& r : c.routes)
      if (r.dst == dst) return &r;
    return nullptr;
  };
  ASSERT_NE(find("10.99.0.0/16"), nullptr);
  EXPECT_EQ(find("10.99.0.0/16")->type, "blackhole");
  ASSERT_NE(find("10.98.0.0/16"), nullptr);
  EXPECT_EQ(find("10.98.0.0/16")->type, "unreachable");
  EXPECT_EQ(find("10.98.0.0/16")->table, 100u);
  ASSERT_NE(find("10.96.0.0/16"), nullptr);
  EXPECT_EQ(find("10.96.0.0/16")->type, "prohibit");
  const Route* via = find("10.97.0.0/16");
  ASSERT_NE(via, nullptr);
  EXPECT_EQ(via->gateway, "10.77.0.2");
  EXPECT_EQ(via->dev, "eth0");
  EXPECT_EQ(via->mtu, 1400u);
  // The per-address routes the kernel makes (local, broadcast, multicast) are not kept.
  EXPECT_EQ(find("10.77.0.1"), nullptr);
  for (const auto& r : c.routes)
    EXPECT_TRUE(r.type != "local" && r.type != "broadcast" && r.type != "multicast") << r.dst;

  bool failed = false;
  for (const auto& n : c.neighbours)
    if (n.dst == "10.77.0.99" && n.state == "FAILED" && n.dev == "eth0") failed = true;
  EXPECT_TRUE(failed);
  EXPECT_TRUE(c.neighbour_stats.count("arp_cache.unresolved_discards"));
  EXPECT_TRUE(c.neighbour_stats.count("arp_cache.table_fulls"));
}

TEST(QdiscCollect, HtbTreeWithLeafAndIngress) {
  TestNet net;
  for (const char* cmd : {"tc qdisc add dev eth0 root handle 1: htb default 10",
                          "tc class add dev eth0 parent 1: classid 1:10 htb rate 10mbit",
                          "tc qdisc add dev eth0 parent 1:10 handle 10: pfifo limit 50",
                          "tc qdisc add dev eth0 ingress"}) {
    auto r = net.in_server(cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
  }
  NetnsSnapshot s = snap(net.server());
  const Qdisc *htb = nullptr, *leaf = nullptr, *ingress = nullptr;
  for (const auto& q : s.qdiscs) {
    if (q.dev != "eth0") continue;
    if (q.kind == "htb") htb = &q;
    if (q.kind == "pfifo") leaf = &q;
    if (q.kind == "ingress") ingress = &q;
  }
  ASSERT_NE(htb, nullptr);
  EXPECT_TRUE(htb->is_root);
  EXPECT_EQ(htb->handle, 0x10000u);
  EXPECT_EQ(htb->options.at("default_class"), 0x10);
  ASSERT_NE(leaf, nullptr);
  EXPECT_FALSE(leaf->is_root);
  EXPECT_EQ(leaf->parent, 0x10010u);
  EXPECT_EQ(leaf->handle, 0x100000u);
  EXPECT_EQ(leaf->options.at("limit_pkts"), 50);
  ASSERT_NE(ingress, nullptr);
  EXPECT_FALSE(ingress->is_root);
}
