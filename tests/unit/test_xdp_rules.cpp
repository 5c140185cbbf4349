// link.xdp_program from fixture snapshots (tests/fixtures/xdp): fires on an XDP_DROP program
// under traffic, stays quiet for an XDP_PASS program on a healthy pair.
#include <gtest/gtest.h>

#include "rules/drop_classifier.h"
#include "test_link_fixture.h"

using namespace pktloss;
using namespace pktloss::test;

namespace {

const Finding* xdp_finding(const Report& r) {
  return find_id(r.findings, "link.xdp_program");
}

bool summary_has(const Finding& f, const std::string& s) {
  return f.summary.find(s) != std::string::npos;
}

ProbeResult lost_probes(const std::string& from, uint64_t sent, uint64_t received) {
  ProbeResult p;
  p.kind = "tcp-syn";
  p.sent = sent;
  p.received = received;
  p.loss = static_cast<double>(sent - received) / static_cast<double>(sent);
  p.loss_ci_low = p.loss * 0.6;
  p.loss_ci_high = 1.0;
  p.target = "10.77.0.2:80";
  p.source_netns = from;
  return p;
}

Report run_with(const SnapshotPair& p, const Observations& obs) {
  return evaluate(p.before ? &*p.before : nullptr, p.after, obs, RuleConfig{});
}

}  // namespace

TEST(XdpProgram, NativeDropCountedByTheDriverIsCriticalWithNameIdRunsAndDetachFix) {
  auto r = run(load_pair("xdp/drop_native_window.json"));
  const Finding* f = xdp_finding(r);
  ASSERT_NE(f, nullptr) << json(r).dump(1);
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->layer, Layer::link);
  EXPECT_EQ(f->netns, "srv");
  EXPECT_EQ(f->volume, 60u);
  EXPECT_TRUE(f->moved_in_window);
  EXPECT_TRUE(summary_has(*f, "xdp_drop_all (id 42, drv mode)")) << f->summary;
  EXPECT_TRUE(summary_has(*f, "dropped 60 frames")) << f->summary;
  EXPECT_TRUE(summary_has(*f, "ran 60 times")) << f->summary;
  ASSERT_FALSE(f->fix.empty());
  EXPECT_EQ(f->fix[0], "ip netns exec srv ip link set dev eth0 xdp off");
  EXPECT_TRUE(any_fix_contains(*f, "bpftool prog show id 42"));
  EXPECT_FALSE(any_fix_contains(*f, "bpf_stats_enabled"));  // already on
  bool driver = false, runs = false;
  for (const auto& e : f->evidence) {
    driver |= e.counter == "rx_queue_0_xdp_drops" && e.delta == 60u;
    runs |= e.counter == "run_cnt" && e.delta == 60u;
  }
  EXPECT_TRUE(driver && runs) << json(*f).dump(1);
  EXPECT_NE(f->explanation.find("kfree_skb"), std::string::npos);
  // The report lists the program with its mode and runs in the window.
  ASSERT_EQ(r.bpf_programs.size(), 1u);
  EXPECT_EQ(r.bpf_programs[0].mode, "drv");
  EXPECT_EQ(r.bpf_programs[0].run_cnt_delta, std::optional<uint64_t>(60));
}

TEST(XdpProgram, PassProgramOnAHealthyPairIsQuiet) {
  auto r = run(load_pair("xdp/pass_native_window.json"));
  EXPECT_EQ(xdp_finding(r), nullptr) << json(r).dump(1);
  EXPECT_TRUE(with_prefix(r, "link.").empty()) << json(r).dump(1);
  // Even with probes answered in full from the client.
  Observations obs;
  obs.probes.push_back(lost_probes("cli", 20, 20));
  EXPECT_EQ(xdp_finding(run_with(load_pair("xdp/pass_native_window.json"), obs)), nullptr);
  ASSERT_EQ(r.bpf_programs.size(), 1u);
  EXPECT_EQ(r.bpf_programs[0].name, "xdp_pass_all");
}

TEST(XdpProgram, GenericDropSeenOnlyAsFramesThatNeverReachedIp) {
  auto r = run(load_pair("xdp/drop_generic_window.json"));
  const Finding* f = xdp_finding(r);
  ASSERT_NE(f, nullptr) << json(r).dump(1);
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->volume, 60u);
  EXPECT_TRUE(summary_has(*f, "(id 42, skb mode)")) << f->summary;
  EXPECT_TRUE(summary_has(*f, "never reached IP")) << f->summary;
  EXPECT_TRUE(summary_has(*f, "kernel.bpf_stats_enabled=0")) << f->summary;
  EXPECT_EQ(f->fix.at(0), "ip netns exec srv ip link set dev eth0 xdpgeneric off");
  EXPECT_TRUE(any_fix_contains(*f, "sysctl -w kernel.bpf_stats_enabled=1"));
}

TEST(XdpProgram, GenericDropTracedByKfreeSkbIsCritical) {
  auto p = load_pair("xdp/drop_generic_window.json");
  // Take the gap away (IP saw as many as came in): only the tracer's rows say it.
  p.after.namespaces[0].snmp["Ip.InReceives"] = 370;
  Observations obs;
  DropEventRow row;
  row.netns = "srv";
  row.dev = "eth0";
  row.reason = "NOT_SPECIFIED";
  row.function = "netif_receive_generic_xdp";
  row.layer = "link";
  row.finding_id = "link.xdp_program";
  row.packets = 25;
  obs.drop_events.push_back(row);
  auto r = run_with(p, obs);
  const Finding* f = xdp_finding(r);
  ASSERT_NE(f, nullptr) << json(r).dump(1);
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_TRUE(summary_has(*f, "kfree_skb")) << f->summary;
  // The row is attached to it as evidence, not left as a separate kernel.drop_reason.
  EXPECT_EQ(find_id(r.findings, "kernel.drop_reason"), nullptr) << json(r).dump(1);
}

TEST(XdpProgram, PeersProgramFoundFromTheClientWhenProbesAreLost) {
  auto p = load_pair("xdp/peer_program_client.json");
  EXPECT_EQ(xdp_finding(run(p)), nullptr);  // no loss seen: quiet
  Observations obs;
  obs.probes.push_back(lost_probes("cli", 20, 0));
  auto r = run_with(p, obs);
  const Finding* f = xdp_finding(r);
  ASSERT_NE(f, nullptr) << json(r).dump(1);
  EXPECT_EQ(f->netns, "cli");
  EXPECT_EQ(f->severity, Severity::critical);  // all probes lost
  EXPECT_EQ(f->object, "eth0 xdp (peer of eth0, netns srv)");
  EXPECT_EQ(f->place.netns, "srv");
  EXPECT_TRUE(summary_has(*f, "xdp_drop_all (id 42, drv mode)")) << f->summary;
  EXPECT_TRUE(summary_has(*f, "20 of 20 probes")) << f->summary;
  EXPECT_EQ(f->fix.at(0), "ip netns exec srv ip link set dev eth0 xdp off");
  // A few lost probes: a warning.
  Observations few;
  few.probes.push_back(lost_probes("cli", 40, 36));
  const Report few_report = run_with(p, few);  // kept: w points into its findings
  const Finding* w = xdp_finding(few_report);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::warning);
}

TEST(XdpProgram, ObservedPeerReportsItselfNotTwice) {
  auto cli = load_pair("xdp/peer_program_client.json");
  auto srv = load_pair("xdp/drop_native_window.json");
  cli.before->namespaces.push_back(srv.before->namespaces[0]);
  cli.after.namespaces.push_back(srv.after.namespaces[0]);
  Observations obs;
  obs.probes.push_back(lost_probes("cli", 20, 0));
  auto r = run_with(cli, obs);
  std::vector<Finding> fs;
  for (const auto& f : r.findings)
    if (f.id == "link.xdp_program") fs.push_back(f);
  ASSERT_EQ(fs.size(), 1u) << json(r).dump(1);
  EXPECT_EQ(fs[0].netns, "srv");
}

TEST(XdpProgram, ProbeLossWithAnotherCauseHereIsNotBlamedOnXdp) {
  auto p = load_pair("xdp/peer_program_client.json");
  // lo drops 50 frames in the window: a link finding in this namespace explains the loss.
  p.after.namespaces[0].links[0].stats.rx_dropped = 50;
  p.after.namespaces[0].links[0].stats.rx_packets = 50;
  Observations obs;
  obs.probes.push_back(lost_probes("cli", 20, 10));
  auto r = run_with(p, obs);
  ASSERT_NE(find_id(r.findings, "link.rx_dropped"), nullptr) << json(r).dump(1);
  EXPECT_EQ(xdp_finding(r), nullptr) << json(r).dump(1);
}

TEST(XdpProgram, LifetimeDriverDropsAreInfoOnly) {
  auto r = run(load_pair("xdp/drop_native_lifetime.json"));
  const Finding* f = xdp_finding(r);
  ASSERT_NE(f, nullptr) << json(r).dump(1);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_FALSE(f->moved_in_window);
  EXPECT_TRUE(summary_has(*f, "since the device came up")) << f->summary;
}

TEST(XdpProgram, AbortedFramesFromXdpExceptionAreCountedOnceWithTheirVerdict) {
  auto p = load_pair("xdp/drop_generic_window.json");
  p.after.namespaces[0].snmp["Ip.InReceives"] = 370;  // no gap: only the tracer says it
  Observations obs;
  DropEventRow ex;
  ex.netns = "srv";
  ex.dev = "eth0";
  ex.reason = "XDP_ABORTED";
  ex.location = "xdp prog 42";
  ex.function = "xdp_exception";
  ex.layer = "link";
  ex.finding_id = "link.xdp_program";
  ex.packets = 30;
  obs.drop_events.push_back(ex);
  DropEventRow fr = ex;  // the same frames freed by generic XDP afterwards
  fr.reason = "NOT_SPECIFIED";
  fr.location = "do_xdp_generic+0x284";
  fr.function = "do_xdp_generic";
  obs.drop_events.push_back(fr);
  auto r = run_with(p, obs);
  const Finding* f = xdp_finding(r);
  ASSERT_NE(f, nullptr) << json(r).dump(1);
  EXPECT_EQ(f->severity, Severity::critical);
  EXPECT_EQ(f->volume, 30u);  // not 60
  EXPECT_TRUE(summary_has(*f, "failed on 30 frames")) << f->summary;
  EXPECT_TRUE(summary_has(*f, "XDP_ABORTED")) << f->summary;
}

TEST(XdpProgram, TracerRowsOfXdpDropsMapToTheFinding) {
  for (auto [reason, function] :
       {std::pair{"NOT_SPECIFIED", "do_xdp_generic"},
        std::pair{"NOT_SPECIFIED", "netif_receive_generic_xdp"},
        std::pair{"NOT_SPECIFIED", "veth_xdp_rcv_skb"},
        std::pair{"XDP", "netif_receive_generic_xdp"}, std::pair{"XDP_ABORTED", "xdp_exception"},
        std::pair{"XDP_TX_FAILED", "xdp_exception"}}) {
    SCOPED_TRACE(std::string(reason) + " in " + function);
    DropClass d = classify_drop(reason, function, "udp");
    EXPECT_EQ(d.layer, "link");
    EXPECT_EQ(d.finding_id, "link.xdp_program");
    EXPECT_FALSE(d.benign);
    EXPECT_FALSE(d.at_peer);
  }
  EXPECT_NE(classify_drop("XDP_ABORTED", "xdp_exception", "").explanation.find("XDP_ABORTED"),
            std::string::npos);
}

TEST(XdpProgram, NoGapVerdictInANamespaceWithAPhysicalNic) {
  auto p = load_pair("xdp/drop_generic_window.json");
  // A promiscuous NIC receives frames for other hosts that IP never counts: no verdict from it.
  for (auto* snap : {&*p.before, &p.after}) {
    Link nic;
    nic.ifindex = 3;
    nic.name = "ens1";
    nic.admin_up = true;
    snap->namespaces[0].links.push_back(nic);
  }
  EXPECT_EQ(xdp_finding(run(p)), nullptr);
}
