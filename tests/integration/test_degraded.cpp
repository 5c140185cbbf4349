// Degraded environments (issue 13): no root, root with only CAP_NET_ADMIN, no kernel BTF. Every
// part that can run does; each part that cannot says so in exactly one note; the exit code
// follows the contract (0/1 with a report, 2 when the command's one part cannot run).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "testnet.h"

using pktloss::testing::CommandResult;
using pktloss::testing::sh;
using pktloss::testing::TestNet;

namespace {

const std::string kNobody = "setpriv --reuid=nobody --regid=nogroup --clear-groups ";
// Root, but every capability except CAP_NET_ADMIN gone from every set (no CAP_BPF, CAP_PERFMON,
// CAP_SYS_ADMIN, CAP_NET_RAW), and none can come back.
const std::string kNetAdminOnly =
    "setpriv --inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin "
    "--bounding-set=-all,+net_admin ";

CommandResult run_as(const std::string& who, const std::string& args, int timeout_s = 60) {
  return sh(who + PKTLOSS_BINARY + " " + args, timeout_s);
}

nlohmann::json report_of(const CommandResult& r) {
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << "\n" << r.err << r.out;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  return j.is_discarded() ? nlohmann::json::object() : j;
}

std::vector<std::string> notes_of(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (const auto& n : report.value("notes", nlohmann::json::array())) out.push_back(n);
  return out;
}

// Notes that mention `needle` (case-sensitive substring).
int count_notes(const nlohmann::json& report, const std::string& needle) {
  int n = 0;
  for (const auto& s : notes_of(report)) n += s.find(needle) != std::string::npos;
  return n;
}

std::string dump_notes(const nlohmann::json& report) {
  return report.value("notes", nlohmann::json::array()).dump(1);
}

void expect_no_crash_text(const CommandResult& r) {
  for (const char* bad : {"terminate called", "Segmentation", "Aborted", "stack trace", "what():"})
    EXPECT_EQ(r.err.find(bad), std::string::npos) << bad << " in: " << r.err;
}

// The snapshot parts that need no privilege ran: links, protocol counters, routes.
void expect_unprivileged_layers_present(const nlohmann::json& report) {
  ASSERT_TRUE(report.contains("layers")) << report.dump().substr(0, 500);
  for (const char* layer : {"link", "ip", "transport", "socket"})
    EXPECT_TRUE(report["layers"].contains(layer)) << layer << ": " << report["layers"].dump();
}

// Each note is said once: no duplicate notes, and no two notes with the same first words
// ("eBPF tracer unavailable", "firewall: ...") in the same namespace.
void expect_one_note_per_part(const nlohmann::json& report) {
  std::map<std::string, int> seen;
  for (const auto& n : notes_of(report)) {
    auto colon = n.find(':', n.find(':') + 1);
    ++seen[n.substr(0, colon)];
  }
  for (const auto& [k, c] : seen)
    if (k.find("trace: ") != 0) {
      EXPECT_EQ(c, 1) << k << " in " << dump_notes(report);
    }
}

}  // namespace

TEST(Degraded, UnprivilegedCheckRunsEveryPartItCanAndSaysWhatItCannot) {
  auto r = run_as(kNobody, "check -i 1 --json");
  expect_no_crash_text(r);
  auto report = report_of(r);
  expect_unprivileged_layers_present(report);
  EXPECT_EQ(count_notes(report, "firewall"), 1) << dump_notes(report);
  EXPECT_EQ(count_notes(report, "iptables-legacy"), 1) << dump_notes(report);  // same note
  EXPECT_EQ(count_notes(report, "eBPF tracer unavailable"), 1) << dump_notes(report);
  EXPECT_EQ(count_notes(report, "eBPF drop tracer unavailable: eBPF"), 0) << dump_notes(report);
  expect_one_note_per_part(report);
  // Lifetime-only check: the tracer does not run, so it is not mentioned.
  auto once = report_of(run_as(kNobody, "check --json"));
  EXPECT_EQ(count_notes(once, "eBPF"), 0) << dump_notes(once);
  EXPECT_EQ(count_notes(once, "firewall"), 1) << dump_notes(once);
}

TEST(Degraded, UnprivilegedDiagnoseProbesWhatItCanWithOneNotePerMissingProbe) {
  // Loopback, a port nobody listens on: the connect/HTTP probes run (refused), the SYN probe
  // and the size sweep need raw/ICMP sockets.
  auto r = run_as(kNobody,
                  "diagnose --target 127.0.0.1:9 --count 2 --interval 0 --trace --capture --json");
  expect_no_crash_text(r);
  auto report = report_of(r);
  std::map<std::string, uint64_t> sent;
  for (const auto& p : report["probes"]) sent[p["kind"]] = p["sent"];
  EXPECT_EQ(sent["tcp-connect"], 2u) << report["probes"].dump();
  EXPECT_EQ(sent["tcp-syn"], 0u);
  EXPECT_EQ(count_notes(report, "tcp-syn probes unavailable"), 1) << dump_notes(report);
  EXPECT_EQ(count_notes(report, "eBPF tracer unavailable"), 1) << dump_notes(report);
  EXPECT_EQ(count_notes(report, "packet capture unavailable"), 1) << dump_notes(report);
  EXPECT_EQ(count_notes(report, "firewall"), 1) << dump_notes(report);
  expect_one_note_per_part(report);
}

TEST(Degraded, UnprivilegedTraceAndCaptureAreOneLineErrors) {
  // trace and capture are nothing but their one part: it cannot run, so exit 2 with the reason.
  for (const std::string& a :
       std::vector<std::string>{"trace -d 1 --json", "capture -i lo -d 1 --json", "trace -d 1"}) {
    auto r = run_as(kNobody, a);
    EXPECT_EQ(r.exit_code, 2) << a << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << a << ": " << r.out;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << a << ": " << r.err;
    EXPECT_NE(r.err.find("unavailable"), std::string::npos) << a << ": " << r.err;
    expect_no_crash_text(r);
  }
}

TEST(Degraded, UnprivilegedCannotEnterANamedNamespace) {
  TestNet net;
  auto r = run_as(kNobody, "check -n " + net.server() + " --json");
  expect_no_crash_text(r);
  // Nothing of the one namespace asked for could be read: an error, not an empty clean report.
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(net.server()), std::string::npos) << r.err;
}

TEST(Degraded, NetAdminOnlyReadsTheFirewallButNotTheTracerOrRawSockets) {
  TestNet net;
  net.in_server(
      "nft add table inet pltdeg && nft add chain inet pltdeg input "
      "'{ type filter hook input priority 0; }' && nft add rule inet pltdeg input "
      "tcp dport 9 counter drop");
  // The namespace is entered by the test (setns needs CAP_SYS_ADMIN, which pktloss lacks).
  auto r = sh("ip netns exec " + net.server() + " " + kNetAdminOnly + PKTLOSS_BINARY +
                  " diagnose --target 127.0.0.1:9 --count 2 --interval 0 --trace --json",
              60);
  expect_no_crash_text(r);
  auto report = report_of(r);
  EXPECT_EQ(count_notes(report, "firewall"), 0) << dump_notes(report);
  EXPECT_EQ(count_notes(report, "nftables"), 0) << dump_notes(report);
  EXPECT_EQ(count_notes(report, "eBPF tracer unavailable"), 1) << dump_notes(report);
  EXPECT_EQ(count_notes(report, "tcp-syn probes unavailable"), 1) << dump_notes(report);
  expect_one_note_per_part(report);
  // The firewall was read: the drop rule and its counter moving are a finding.
  auto drops = TestNet::findings_with_id(report, "netfilter.drop_rule");
  ASSERT_FALSE(drops.empty()) << report["findings"].dump().substr(0, 2000);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(drops[0].dump().find("dport 9"), std::string::npos) << drops[0].dump();
}

TEST(Degraded, NoBtfDegradesTheTracerAndTheRestRuns) {
  TestNet net;
  const std::string missing = net.workdir() + "/no-such-vmlinux";
  auto r = sh("PKTLOSS_BTF=" + missing + " " + PKTLOSS_BINARY + " check -n " + net.server() +
                  " -i 1 --json",
              60);
  expect_no_crash_text(r);
  auto report = report_of(r);
  expect_unprivileged_layers_present(report);
  EXPECT_EQ(count_notes(report, "eBPF tracer unavailable"), 1) << dump_notes(report);
  EXPECT_EQ(count_notes(report, missing), 1) << dump_notes(report);
  EXPECT_EQ(count_notes(report, "PKTLOSS_BTF"), 1) << dump_notes(report);
  expect_one_note_per_part(report);
  // trace is only the tracer: exit 2, and the line names the file.
  auto t = sh("PKTLOSS_BTF=" + missing + " " + PKTLOSS_BINARY + " trace -d 1 --json", 30);
  EXPECT_EQ(t.exit_code, 2) << t.err;
  EXPECT_TRUE(t.out.empty());
  EXPECT_NE(t.err.find(missing), std::string::npos) << t.err;
  EXPECT_EQ(std::count(t.err.begin(), t.err.end(), '\n'), 1) << t.err;
  // A file that is not BTF at all: the same, never a crash.
  sh("head -c 4096 /dev/urandom > " + net.workdir() + "/garbage.btf");
  auto g = sh("PKTLOSS_BTF=" + net.workdir() + "/garbage.btf " + PKTLOSS_BINARY + " check -n " +
                  net.server() + " -i 1 --json",
              60);
  expect_no_crash_text(g);
  auto gr = report_of(g);
  EXPECT_EQ(count_notes(gr, "eBPF tracer unavailable"), 1) << dump_notes(gr);
}

TEST(Degraded, BtfPathFromTheEnvironmentIsTheOneUsed) {
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) GTEST_SKIP() << "no kernel BTF here";
  TestNet net;
  sh("cp /sys/kernel/btf/vmlinux " + net.workdir() + "/vmlinux.btf");
  auto r = sh("PKTLOSS_BTF=" + net.workdir() + "/vmlinux.btf " + PKTLOSS_BINARY + " check -n " +
                  net.server() + " -i 1 --json",
              60);
  auto report = report_of(r);
  EXPECT_EQ(count_notes(report, "unavailable"), 0) << dump_notes(report);
  EXPECT_EQ(count_notes(report, "trace: eBPF kfree_skb via tp_btf"), 1) << dump_notes(report);
}

TEST(Degraded, LibnftablesFailingOrReturningGarbageIsANote) {
  // A namespace cannot lack nf_tables on its own, so libnftables is made to fail (LD_PRELOAD).
  TestNet net;
  net.in_server(
      "nft add table inet pls && nft add chain inet pls input "
      "'{ type filter hook input priority 0; }' && nft add rule inet pls input "
      "udp dport 9 counter drop");
  for (const std::string& mode :
       std::vector<std::string>{"nullctx", "fail", "garbage", "hostile"}) {
    auto r = sh("PLT_NFT_SHIM=" + mode + " LD_PRELOAD=" + PKTLOSS_NFT_SHIM + " " + PKTLOSS_BINARY +
                    " check -n " + net.server() + " -i 0.5 --no-trace --json",
                60);
    expect_no_crash_text(r);
    auto report = report_of(r);
    expect_unprivileged_layers_present(report);
    EXPECT_GE(count_notes(report, "nftables"), 1) << mode << ": " << dump_notes(report);
    expect_one_note_per_part(report);
  }
}

TEST(Degraded, UnprivilegedSocketOwnersOfOtherUsersAreANote) {
  TestNet net;
  // A root listener whose accept queue fills (nobody accepts): the socket rules would name its
  // owner, which nobody cannot see. Run in the namespace by the test: pktloss needs no setns.
  net.spawn(net.server(),
            "exec python3 -c 'import socket,time; s=socket.socket(); "
            "s.bind((\"127.0.0.1\", 7070)); s.listen(1); time.sleep(60)'");
  bool listening = false;
  for (int i = 0; i < 50 && !listening; ++i) {
    listening = net.in_server("ss -Hltn \"sport = :7070\" | grep -q LISTEN").exit_code == 0;
    if (!listening) usleep(100000);
  }
  ASSERT_TRUE(listening);
  net.in_server(
      "for i in 1 2 3; do timeout 0.3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/7070; "
      "sleep 5' & done; sleep 0.2");
  auto r =
      sh("ip netns exec " + net.server() + " " + kNobody + PKTLOSS_BINARY + " check --json", 60);
  expect_no_crash_text(r);
  auto report = report_of(r);
  EXPECT_EQ(count_notes(report, "socket owners"), 1) << dump_notes(report);
  expect_one_note_per_part(report);
}
