// link.xdp_program on a real veth pair: a one-verdict XDP program (tests/integration/bpf,
// built by CMake) attached to the server's eth0 with ip (fault injection; pktloss never runs
// ip). XDP_DROP must be found, with the program's name and id, from the client; XDP_PASS on the
// same healthy pair must stay quiet; the report lists the program with its mode and, with
// kernel.bpf_stats_enabled=1, its runs.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "testnet.h"

using nlohmann::json;
using pktloss::testing::sh;
using pktloss::testing::TestNet;

namespace {

std::string object(const std::string& verdict) {
  return std::string(PKTLOSS_TEST_BPF_DIR) + "/test_xdp_" + verdict + ".bpf.o";
}

// `ip link set dev eth0 xdp obj ...` in the server; keyword "xdpgeneric" for skb mode. Returns
// the program id the kernel gave it (from ip's own JSON), 0 on failure.
uint32_t attach(const TestNet& net, const std::string& verdict,
                const std::string& keyword = "xdp") {
  auto r =
      net.in_server("ip link set dev eth0 " + keyword + " obj " + object(verdict) + " sec xdp");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto show = net.in_server("ip -j -d link show dev eth0");
  if (show.exit_code != 0) return 0;
  auto j = json::parse(show.out, nullptr, false);
  if (!j.is_array() || j.empty() || !j[0].contains("xdp")) return 0;
  const auto& x = j[0]["xdp"];
  if (x.contains("prog")) return x["prog"].value("id", 0u);
  for (const auto& a : x.value("attached", json::array()))
    if (a.contains("prog")) return a["prog"].value("id", 0u);
  return 0;
}

// kernel.bpf_stats_enabled set for one test and put back as it was.
class BpfStats {
 public:
  explicit BpfStats(bool on) {
    std::ifstream f("/proc/sys/kernel/bpf_stats_enabled");
    f >> saved_;
    set(on ? "1" : "0");
  }
  ~BpfStats() { set(saved_); }

 private:
  static void set(const std::string& v) {
    std::ofstream f("/proc/sys/kernel/bpf_stats_enabled");
    f << v;
  }
  std::string saved_ = "0";
};

json diagnose(const TestNet& net, bool observe_server, int* exit_code = nullptr) {
  auto r = net.pktloss("diagnose -n " + net.client() +
                       (observe_server ? " --observe " + net.server() : std::string()) +
                       " --target " + TestNet::kServerIp + ":80 --count 3 --sizes none --json");
  if (exit_code) *exit_code = r.exit_code;
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  return json::parse(r.out, nullptr, false);
}

bool contains(const json& s, const std::string& what) {
  return s.is_string() && s.get<std::string>().find(what) != std::string::npos;
}
bool fix_has(const json& f, const std::string& what) {
  for (const auto& x : f.value("fix", json::array()))
    if (contains(x, what)) return true;
  return false;
}

// The report's bpf_programs entry of eth0's XDP program in `netns`, or null.
json xdp_entry(const json& report, const std::string& netns) {
  for (const auto& p : report.value("bpf_programs", json::array()))
    if (p.value("netns", "") == netns && p.value("dev", "") == "eth0" &&
        p.value("hook", "") == "xdp")
      return p;
  return nullptr;
}

std::string ids(const json& report) {
  std::string s;
  for (const auto& f : report.value("findings", json::array()))
    s += f.value("id", "") + " (" + f.value("severity", "") + ", " + f.value("netns", "") +
         "): " + f.value("summary", "") + "\n";
  return s;
}

}  // namespace

TEST(Xdp, DropProgramIsFoundWithItsNameIdAndRunsAndTheDetachFix) {
  TestNet net;
  net.start_nginx();
  uint32_t id = attach(net, "drop");
  ASSERT_NE(id, 0u);
  BpfStats stats(true);
  int rc = -1;
  json report = diagnose(net, true, &rc);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(rc, 1);
  auto fs = TestNet::findings_with_id(report, "link.xdp_program");
  ASSERT_EQ(fs.size(), 1u) << ids(report);
  const json& f = fs[0];
  EXPECT_EQ(f["netns"], net.server());
  EXPECT_EQ(f["severity"], "critical") << f.dump(1);
  EXPECT_TRUE(contains(f["summary"], "xdp_drop_all")) << f.dump(1);
  EXPECT_TRUE(contains(f["summary"], "id " + std::to_string(id))) << f.dump(1);
  EXPECT_TRUE(contains(f["summary"], "drv mode")) << f.dump(1);
  EXPECT_TRUE(fix_has(f, "ip netns exec " + net.server() + " ip link set dev eth0 xdp off"))
      << f.dump(1);
  EXPECT_TRUE(fix_has(f, "bpftool prog show id " + std::to_string(id))) << f.dump(1);

  json p = xdp_entry(report, net.server());
  ASSERT_TRUE(p.is_object()) << report["bpf_programs"].dump(1);
  EXPECT_EQ(p["mode"], "drv");
  EXPECT_EQ(p["id"], id);
  EXPECT_EQ(p["name"], "xdp_drop_all");
  EXPECT_EQ(p["type"], "xdp");
  EXPECT_TRUE(p["stats_enabled"].get<bool>());
  ASSERT_TRUE(p["run_cnt_delta"].is_number()) << p.dump(1);
  EXPECT_GT(p["run_cnt_delta"].get<uint64_t>(), 0u) << p.dump(1);
}

TEST(Xdp, DropProgramOnThePeerIsFoundFromTheClientAlone) {
  TestNet net;
  net.start_nginx();
  uint32_t id = attach(net, "drop");
  ASSERT_NE(id, 0u);
  json report = diagnose(net, false);
  ASSERT_TRUE(report.is_object());
  auto fs = TestNet::findings_with_id(report, "link.xdp_program");
  ASSERT_EQ(fs.size(), 1u) << ids(report);
  EXPECT_EQ(fs[0]["netns"], net.client());
  EXPECT_TRUE(contains(fs[0]["summary"], "xdp_drop_all")) << fs[0].dump(1);
  EXPECT_TRUE(contains(fs[0]["summary"], "id " + std::to_string(id))) << fs[0].dump(1);
  EXPECT_TRUE(fix_has(fs[0], "ip netns exec " + net.server() + " ip link set dev eth0 xdp off"))
      << fs[0].dump(1);
}

TEST(Xdp, PassProgramOnAHealthyPairIsQuietAndListed) {
  TestNet net;
  net.start_nginx();
  uint32_t id = attach(net, "pass");
  ASSERT_NE(id, 0u);
  BpfStats stats(false);
  int rc = -1;
  json report = diagnose(net, true, &rc);
  ASSERT_TRUE(report.is_object());
  EXPECT_TRUE(TestNet::findings_with_id(report, "link.xdp_program").empty()) << ids(report);
  EXPECT_EQ(rc, 0) << ids(report);
  json p = xdp_entry(report, net.server());
  ASSERT_TRUE(p.is_object()) << report["bpf_programs"].dump(1);
  EXPECT_EQ(p["mode"], "drv");
  EXPECT_EQ(p["name"], "xdp_pass_all");
  EXPECT_FALSE(p["stats_enabled"].get<bool>());
  EXPECT_TRUE(p["run_cnt_delta"].is_null());
  // check over a window of real HTTP traffic, from the server's side: quiet too.
  auto c = net.pktloss_until_done("check -n " + net.server() + " -i 60 --json",
                                  "ip netns exec " + net.client() +
                                      " sh -c 'for i in $(seq 20); do curl -s -m 1 -o /dev/null "
                                      "http://10.77.0.2/30k.bin; done'");
  auto cr = json::parse(c.out, nullptr, false);
  ASSERT_TRUE(cr.is_object()) << c.err;
  EXPECT_TRUE(TestNet::findings_with_id(cr, "link.xdp_program").empty()) << ids(cr);
}

TEST(Xdp, GenericModeDropIsFoundWithTheGenericDetachFix) {
  TestNet net;
  net.start_nginx();
  uint32_t id = attach(net, "drop", "xdpgeneric");
  ASSERT_NE(id, 0u);
  json report = diagnose(net, true);
  ASSERT_TRUE(report.is_object());
  auto fs = TestNet::findings_with_id(report, "link.xdp_program");
  ASSERT_EQ(fs.size(), 1u) << ids(report);
  EXPECT_TRUE(contains(fs[0]["summary"], "skb mode")) << fs[0].dump(1);
  EXPECT_TRUE(
      fix_has(fs[0], "ip netns exec " + net.server() + " ip link set dev eth0 xdpgeneric off"))
      << fs[0].dump(1);
  json p = xdp_entry(report, net.server());
  ASSERT_TRUE(p.is_object());
  EXPECT_EQ(p["mode"], "skb");
}

TEST(Xdp, WithoutCapSysAdminTheIdsStayAndANoteSaysWhy) {
  TestNet net;
  uint32_t id = attach(net, "pass");
  ASSERT_NE(id, 0u);
  // Run inside the server's namespace (no setns needed) with CAP_SYS_ADMIN out of the bounding
  // set: the links dump works, reading the program by id does not.
  auto r = sh("ip netns exec " + net.server() + " setpriv --bounding-set -sys_admin " +
              PKTLOSS_BINARY + " check --no-sockets --no-firewall --no-trace --json");
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  auto report = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << r.out;
  bool listed = false;
  for (const auto& p : report.value("bpf_programs", json::array()))
    listed |= p.value("id", 0u) == id && !p.value("info_read", true);
  EXPECT_TRUE(listed) << report["bpf_programs"].dump(1);
  bool note = false;
  for (const auto& n : report["notes"]) note |= contains(n, "CAP_SYS_ADMIN");
  EXPECT_TRUE(note) << report["notes"].dump(1);
}

TEST(Xdp, AbortedProgramIsTracedAsXdpExceptionWithItsProgramId) {
  TestNet net;
  net.start_nginx();
  uint32_t id = attach(net, "aborted");
  ASSERT_NE(id, 0u);
  auto r = net.pktloss("diagnose -n " + net.client() + " --observe " + net.server() + " --target " +
                       TestNet::kServerIp + ":80 --count 3 --sizes none --trace --json");
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  auto report = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << r.out;
  bool row = false;
  for (const auto& d : report.value("drop_events", json::array()))
    row |= d.value("reason", "") == "XDP_ABORTED" &&
           d.value("location", "") == "xdp prog " + std::to_string(id) &&
           d.value("netns", "") == net.server() && d.value("packets", 0) > 0;
  EXPECT_TRUE(row) << report["drop_events"].dump(1);
  auto fs = TestNet::findings_with_id(report, "link.xdp_program");
  ASSERT_EQ(fs.size(), 1u) << ids(report);
  EXPECT_TRUE(contains(fs[0]["summary"], "xdp_aborted_all")) << fs[0].dump(1);
  EXPECT_TRUE(contains(fs[0]["summary"], "XDP_ABORTED")) << fs[0].dump(1);
  // The tracer's rows are this finding's evidence, not a separate kernel.drop_reason.
  bool evidence = false;
  for (const auto& e : fs[0]["evidence"]) evidence |= contains(e["counter"], "XDP_ABORTED");
  EXPECT_TRUE(evidence) << fs[0].dump(1);
  for (const auto& k : TestNet::findings_with_id(report, "kernel.drop_reason"))
    EXPECT_FALSE(contains(k["summary"], "XDP_ABORTED")) << ids(report);
}

TEST(Xdp, TcBpfFilterProgramIsListedWithItsHookAndName) {
  TestNet net;
  auto add =
      net.in_server("tc qdisc add dev eth0 clsact && tc filter add dev eth0 ingress bpf da obj " +
                    std::string(PKTLOSS_TEST_BPF_DIR) + "/test_tc_pass.bpf.o sec tc");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  auto r = net.pktloss("check -n " + net.server() + " --no-sockets --no-firewall --json");
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  auto report = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << r.out;
  json tc;
  for (const auto& p : report.value("bpf_programs", json::array()))
    if (p.value("hook", "") == "tc ingress") tc = p;
  ASSERT_TRUE(tc.is_object()) << report["bpf_programs"].dump(1);
  EXPECT_EQ(tc["netns"], net.server());
  EXPECT_EQ(tc["dev"], "eth0");
  EXPECT_EQ(tc["mode"], "direct-action");
  EXPECT_EQ(tc["name"], "tc_pass_all");
  EXPECT_EQ(tc["type"], "sched_cls");
  EXPECT_GT(tc["id"].get<uint32_t>(), 0u);
  EXPECT_TRUE(TestNet::findings_with_id(report, "link.xdp_program").empty());
}
