// Signals and broken output (issue 13): SIGINT / SIGTERM inside the window of check -i, trace,
// capture and diagnose end it early with the report of what was seen, marked interrupted, and
// leave no BPF program behind; a reader that goes away (SIGPIPE) ends pktloss quietly; stdout
// closed or full is one clear line on stderr and a non-zero exit.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "testnet.h"

using pktloss::testing::CommandResult;
using pktloss::testing::sh;
using pktloss::testing::TestNet;

namespace {

// Like TestNet::pktloss_started (the same --ready-fd FIFO), but also knows pktloss's pid, to
// signal exactly that process: the shell execs pktloss, so its pid is the one it wrote down.
struct Started {
  std::future<CommandResult> result;
  pid_t pid = 0;
};

Started start_pktloss(const TestNet& net, const std::string& args, int timeout_s = 60) {
  static int seq = 0;
  std::string fifo = net.workdir() + "/sig-ready." + std::to_string(seq);
  std::string pidfile = net.workdir() + "/sig-pid." + std::to_string(seq++);
  unlink(fifo.c_str());
  EXPECT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Started s;
  s.result = std::async(std::launch::async, [=] {
    return sh("echo $$ > " + pidfile + "; exec " + PKTLOSS_BINARY + " " + args +
                  " --ready-fd 3 3>" + fifo,
              timeout_s);
  });
  int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    char buf[16];
    for (int waited_ms = 0; waited_ms < timeout_s * 1000; waited_ms += 100) {
      if (poll(&p, 1, 100) > 0 && ((p.revents & POLLHUP) || read(fd, buf, sizeof buf) > 0)) break;
      if (s.result.wait_for(std::chrono::seconds(0)) == std::future_status::ready) break;
    }
    close(fd);
  }
  unlink(fifo.c_str());
  std::ifstream pf(pidfile);
  pf >> s.pid;
  return s;
}

// Sends `sig` and returns what pktloss printed; fails if it takes more than `within_s` to end.
CommandResult interrupt(Started& s, int sig, double within_s = 10) {
  EXPECT_GT(s.pid, 0);
  if (s.pid > 0) kill(s.pid, sig);
  auto t0 = std::chrono::steady_clock::now();
  CommandResult r = s.result.get();
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(took, within_s) << "pktloss took " << took << " s to stop after signal " << sig;
  return r;
}

void expect_interrupted_report(const CommandResult& r, const std::string& signame) {
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << " " << r.err;
  auto report = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out << r.err;
  EXPECT_EQ(report.value("interrupted", false), true) << r.out.substr(0, 300);
  EXPECT_NE(report["notes"].dump().find("interrupted by " + signame), std::string::npos)
      << report["notes"].dump();
  EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.err;
}

// The ids of loaded BPF programs that pktloss's object defines (on_kfree_skb*).
std::string pktloss_bpf_progs() {
  return sh("bpftool prog show 2>/dev/null | grep -c 'name on_kfree_skb' || true").out;
}

// The kernel frees a program after its last file descriptor closes, from deferred work, so right
// after pktloss exits bpftool may still list it for a moment: wait (bounded) for the count to
// come back rather than reading it once.
std::string bpf_progs_settled(const std::string& expected) {
  std::string now = pktloss_bpf_progs();
  for (int i = 0; i < 100 && now != expected; ++i) {
    usleep(100 * 1000);
    now = pktloss_bpf_progs();
  }
  return now;
}

}  // namespace

TEST(Signals, SigintDuringCheckWindowGivesTheInterruptedReport) {
  TestNet net;
  auto s = start_pktloss(net, "check -n " + net.server() + " -i 60 --json");
  net.in_client("for i in $(seq 3); do echo x > /dev/udp/" + std::string(TestNet::kServerIp) +
                "/9; done");
  expect_interrupted_report(interrupt(s, SIGINT), "SIGINT");
}

TEST(Signals, SigtermDuringTraceGivesTheInterruptedReportAndDetachesBpf) {
  TestNet net;
  std::string before = pktloss_bpf_progs();
  auto s = start_pktloss(net, "trace -n " + net.server() + " -d 60 --json");
  EXPECT_NE(pktloss_bpf_progs(), before) << "the tracer's program should be loaded now";
  auto r = interrupt(s, SIGTERM);
  expect_interrupted_report(r, "SIGTERM");
  EXPECT_EQ(bpf_progs_settled(before), before) << "a BPF program outlived pktloss";
}

TEST(Signals, SigintDuringCaptureLeavesACompleteReadablePcap) {
  TestNet net;
  const std::string pcap = net.workdir() + "/cut.pcap";
  // The server's address resolved first, so the datagrams leave at once instead of waiting for
  // ARP while the interrupt comes.
  net.in_client("ping -c 1 -W 2 " + std::string(TestNet::kServerIp));
  auto s = start_pktloss(
      net, "capture -n " + net.server() + " -i eth0 -d 60 --write " + pcap + " --json");
  net.in_client("for i in $(seq 5); do echo x > /dev/udp/" + std::string(TestNet::kServerIp) +
                "/9; done");
  expect_interrupted_report(interrupt(s, SIGINT), "SIGINT");
  // Both pktloss and tcpdump read it back: every record whole.
  auto back = net.pktloss("capture --read " + pcap + " --json");
  ASSERT_TRUE(back.exit_code == 0 || back.exit_code == 1) << back.err;
  auto t = sh("tcpdump -nr " + pcap + " 2>&1 | grep -c '10.77.0.2.9: UDP'");
  EXPECT_GE(std::atoi(t.out.c_str()), 5) << t.out;
  EXPECT_EQ(sh("tcpdump -nr " + pcap + " 2>&1 | grep -ci 'truncated\\|cut short'").out, "0\n");
}

TEST(Signals, SigintDuringDiagnoseReportsTheProbesSoFar) {
  TestNet net;
  net.start_nginx();
  // 10.77.0.9 does not exist: every probe waits its timeout, so the run would take minutes.
  std::string before = pktloss_bpf_progs();
  auto s = start_pktloss(net, "diagnose -n " + net.client() + " --observe " + net.server() +
                                  " --target 10.77.0.9:80 --count 200 --interval 0 --trace "
                                  "--sizes none --json");
  usleep(1500 * 1000);  // let a few SYN probes go out (not a wait for the window: that is ready)
  auto r = interrupt(s, SIGINT, 8);
  expect_interrupted_report(r, "SIGINT");
  EXPECT_EQ(bpf_progs_settled(before), before) << "a BPF program outlived pktloss";
}

TEST(Signals, ReaderGoingAwayEndsQuietly) {
  TestNet net;
  // bash's PIPESTATUS: pktloss's own exit status. Killed by SIGPIPE (141) or finished (0/1),
  // and not a word on stderr.
  auto r =
      sh(std::string(PKTLOSS_BINARY) + " check -n " + net.server() + " --json 2>" + net.workdir() +
         "/pipe.err | head -c 10 >/dev/null; "
         "echo ${PIPESTATUS[0]}");
  int rc = std::atoi(r.out.c_str());
  EXPECT_TRUE(rc == 0 || rc == 1 || rc == 141) << rc;
  EXPECT_EQ(sh("cat " + net.workdir() + "/pipe.err").out, "");
  // Also when SIGPIPE is inherited as ignored (some service managers do that): still quiet.
  r = sh("trap '' PIPE; " + std::string(PKTLOSS_BINARY) + " check --all-netns --json 2>" +
         net.workdir() +
         "/pipe2.err | head -c 10 >/dev/null; "
         "echo ${PIPESTATUS[0]}");
  EXPECT_EQ(sh("cat " + net.workdir() + "/pipe2.err").out, "");
}

TEST(Signals, StdoutFullOrClosedIsAClearErrorNotSilence) {
  TestNet net;
  for (const std::string& redirect : std::vector<std::string>{">/dev/full", ">&-"}) {
    auto r = sh(std::string(PKTLOSS_BINARY) + " check -n " + net.server() + " --json " + redirect);
    EXPECT_EQ(r.exit_code, 2) << redirect << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << redirect << ": " << r.err;
    EXPECT_NE(r.err.find("cannot write the report"), std::string::npos) << redirect << r.err;
  }
}
