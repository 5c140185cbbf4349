// Our own raw SYN probes must never be reported as a fault (rules/own_traffic.h).
#include <gtest/gtest.h>

#include "rules/engine.h"
#include "rules/own_traffic.h"

using namespace pktloss;

namespace {

// Probing namespace "plc" (inode 1) and target namespace "pls" (inode 2) after 30 raw SYN
// probes whose SYN-ACKs the probing host reset.
struct ProbeWindow {
  Snapshot before, after;
  Observations obs;
  ProbeWindow() {
    before.namespaces.resize(2);
    before.namespaces[0].name = "plc";
    before.namespaces[0].inode = 1;
    before.namespaces[0].snmp = {{"Tcp.OutRsts", 100}, {"Tcp.AttemptFails", 0}};
    before.namespaces[1].name = "pls";
    before.namespaces[1].inode = 2;
    before.namespaces[1].snmp = {
        {"TcpExt.EmbryonicRsts", 5}, {"Tcp.AttemptFails", 5}, {"Tcp.OutRsts", 0}};
    after = before;
    after.monotonic_s = 3;
    after.namespaces[0].snmp["Tcp.OutRsts"] = 130;
    after.namespaces[1].snmp["TcpExt.EmbryonicRsts"] = 35;
    after.namespaces[1].snmp["Tcp.AttemptFails"] = 35;
    obs.own_syn_probes = 30;
    obs.own_syn_probes_netns = "plc";
    obs.own_syn_acks_reset = 30;
    DropEventRow row;
    row.netns = "plc";
    row.reason = "NO_SOCKET";
    row.proto = "tcp";
    row.packets = 30;
    obs.drop_events.push_back(row);
  }
  std::vector<std::string> warning_ids(const Observations& o) const {
    std::vector<std::string> ids;
    for (const auto& f : evaluate(&before, after, o, RuleConfig{}).findings)
      if (f.severity >= Severity::warning) ids.push_back(f.id + "@" + f.netns);
    return ids;
  }
};

}  // namespace

TEST(OwnTraffic, ProbeFootprintsAreTakenOutOfCountersAndDropRows) {
  ProbeWindow w;
  Snapshot after = w.after;
  auto rows = w.obs.drop_events;
  auto notes = discount_own_traffic(w.obs, w.before, after, rows);
  EXPECT_EQ(after.namespaces[0].snmp["Tcp.OutRsts"], 100u);
  EXPECT_EQ(after.namespaces[1].snmp["TcpExt.EmbryonicRsts"], 5u);
  EXPECT_EQ(after.namespaces[1].snmp["Tcp.AttemptFails"], 5u);
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(notes.size(), 3u);
}

TEST(OwnTraffic, NeverBelowTheBeforeValueAndRealFaultsBeyondTheProbesStay) {
  ProbeWindow w;
  // 30 probes explain at most 180 RSTs (each SYN-ACK sent up to 6 times); 20 more stay.
  w.after.namespaces[0].snmp["Tcp.OutRsts"] = 300;
  Snapshot after = w.after;
  auto rows = w.obs.drop_events;
  discount_own_traffic(w.obs, w.before, after, rows);
  EXPECT_EQ(after.namespaces[0].snmp["Tcp.OutRsts"], 120u);
  w.obs.own_syn_probes = 1000;
  after = w.after;
  discount_own_traffic(w.obs, w.before, after, rows);
  EXPECT_EQ(after.namespaces[0].snmp["Tcp.OutRsts"], 100u);
}

TEST(OwnTraffic, ProbesAloneGiveNoTransportFindingButWouldWithoutTheDiscount) {
  ProbeWindow w;
  EXPECT_TRUE(w.warning_ids(w.obs).empty()) << ::testing::PrintToString(w.warning_ids(w.obs));
  Observations unaware = w.obs;
  unaware.own_syn_acks_reset = 0;
  EXPECT_FALSE(w.warning_ids(unaware).empty()) << "the scenario must look like a fault otherwise";
}
