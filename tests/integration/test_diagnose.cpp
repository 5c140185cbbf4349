// Issue 4 acceptance: three concurrent causes on the server side found in one diagnose run,
// then removed one by one; and the MTU-only case where SYNs pass but HTTP fails.
#include <gtest/gtest.h>

#include <set>

#include "testnet.h"

using nlohmann::json;
using pktloss::testing::TestNet;

namespace {

const char* kStatisticRule = "-m statistic --mode random --probability 0.3 -j DROP";

struct Diagnosis {
  int exit_code = -1;
  json report;
  std::set<std::string> ids;  // ids at warning or above
};

Diagnosis diagnose(const TestNet& net, const std::string& extra = "") {
  auto r = net.pktloss("diagnose -n " + net.client() + " --observe " + net.server() + " --target " +
                       TestNet::kServerIp + ":80 --count 30 --json " + extra);
  Diagnosis d;
  d.exit_code = r.exit_code;
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  if (r.exit_code != 0 && r.exit_code != 1) return d;
  d.report = json::parse(r.out);
  for (const auto& f : d.report["findings"])
    if (f["severity"] != "info") d.ids.insert(f["id"].get<std::string>());
  return d;
}

std::string dump_ids(const Diagnosis& d) {
  std::string s;
  for (const auto& f : d.report.value("findings", json::array()))
    s += f.value("id", "") + " (" + f.value("severity", "") + ", " + f.value("netns", "") + " " +
         f.value("object", "") + "): " + f.value("summary", "") + "\n";
  return s;
}

void inject_mtu(const TestNet& net) {
  ASSERT_EQ(net.in_server("ip link set dev eth0 mtu 100").exit_code, 0);
}
void inject_tbf(const TestNet& net) {
  // A 90-byte bucket: every frame above 90 bytes (echo replies of the size sweep, data) is dropped.
  ASSERT_EQ(net.in_server("tc qdisc add dev eth0 root tbf rate 8kbit burst 90 limit 300").exit_code,
            0);
}
void inject_statistic(const TestNet& net) {
  ASSERT_EQ(net.in_server(std::string("iptables -A INPUT ") + kStatisticRule).exit_code, 0);
  ASSERT_EQ(net.in_server(std::string("iptables -A OUTPUT ") + kStatisticRule).exit_code, 0);
}

}  // namespace

TEST(Diagnose, FindsEveryConcurrentCauseAndEachDisappearsWhenFixed) {
  TestNet net;
  net.start_nginx();
  inject_statistic(net);
  inject_mtu(net);
  inject_tbf(net);

  auto all = diagnose(net);
  SCOPED_TRACE(dump_ids(all));
  EXPECT_EQ(all.exit_code, 1);
  EXPECT_TRUE(all.ids.count("netfilter.drop_rule"));
  EXPECT_TRUE(all.ids.count("link.mtu_low"));
  EXPECT_TRUE(all.ids.count("qdisc.drops"));
  EXPECT_TRUE(all.ids.count("application.probe_loss"));
  // Both statistic rules are named (one finding per rule, or one naming both chains).
  std::string rules_text;
  for (const auto& f : TestNet::findings_with_id(all.report, "netfilter.drop_rule"))
    rules_text += f.dump();
  EXPECT_NE(rules_text.find("INPUT"), std::string::npos);
  EXPECT_NE(rules_text.find("OUTPUT"), std::string::npos);
  // The MTU fix restores the peer's MTU, computed from the host.
  std::string mtu_fix = TestNet::findings_with_id(all.report, "link.mtu_low").dump();
  EXPECT_NE(mtu_fix.find("mtu 1500"), std::string::npos) << mtu_fix;

  // Fix the firewall: its findings go, the others stay.
  ASSERT_EQ(net.in_server(std::string("iptables -D INPUT ") + kStatisticRule).exit_code, 0);
  ASSERT_EQ(net.in_server(std::string("iptables -D OUTPUT ") + kStatisticRule).exit_code, 0);
  auto no_fw = diagnose(net);
  SCOPED_TRACE(dump_ids(no_fw));
  EXPECT_FALSE(no_fw.ids.count("netfilter.drop_rule"));
  EXPECT_TRUE(no_fw.ids.count("link.mtu_low"));
  EXPECT_TRUE(no_fw.ids.count("qdisc.drops"));

  // Fix the qdisc.
  ASSERT_EQ(net.in_server("tc qdisc del dev eth0 root").exit_code, 0);
  auto no_qdisc = diagnose(net);
  SCOPED_TRACE(dump_ids(no_qdisc));
  EXPECT_FALSE(no_qdisc.ids.count("qdisc.drops"));
  EXPECT_TRUE(no_qdisc.ids.count("link.mtu_low"));

  // Fix the MTU: clean report, exit code 0.
  ASSERT_EQ(net.in_server("ip link set dev eth0 mtu 1500").exit_code, 0);
  auto clean = diagnose(net);
  SCOPED_TRACE(dump_ids(clean));
  EXPECT_TRUE(clean.ids.empty());
  EXPECT_EQ(clean.exit_code, 0);
}

TEST(Diagnose, MtuOnlySynPassesHttpFailsVerdictIsMtu) {
  TestNet net;
  net.start_nginx();
  inject_mtu(net);
  auto d = diagnose(net);
  SCOPED_TRACE(dump_ids(d));
  EXPECT_EQ(d.exit_code, 1);
  double syn_loss = -1, http_loss = -1;
  for (const auto& p : d.report["probes"]) {
    if (p["kind"] == "tcp-syn") syn_loss = p["loss"].get<double>();
    if (p["kind"] == "http") http_loss = p["loss"].get<double>();
  }
  EXPECT_EQ(syn_loss, 0.0);
  EXPECT_GT(http_loss, 0.5);
  ASSERT_FALSE(d.report["findings"].empty());
  std::string top = d.report["findings"][0]["id"];
  EXPECT_TRUE(top == "link.mtu_low" || top == "ip.pmtu_blackhole") << top;
  EXPECT_TRUE(d.ids.count("link.mtu_low"));
  EXPECT_FALSE(d.ids.count("netfilter.drop_rule"));
  EXPECT_FALSE(d.ids.count("qdisc.drops"));
}
