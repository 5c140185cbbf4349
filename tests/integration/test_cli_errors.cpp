// Bad command lines and hostile arguments (issue 13): each is one clear line on stderr, exit 2,
// and nothing on stdout a --json consumer could mistake for (part of) a report.
#include <gtest/gtest.h>

#include <unistd.h>

#include <string>
#include <vector>

#include "testnet.h"

using pktloss::testing::CommandResult;
using pktloss::testing::sh;
using pktloss::testing::TestNet;

namespace {

// `args` is shell text (so $'...' can carry raw bytes); --json is added to every run so a
// stray report on stdout would show.
CommandResult run_bad(const std::string& args) {
  return sh(std::string(PKTLOSS_BINARY) + " " + args, 30);
}

size_t count_lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// One line, "pktloss: ..." + newline, no control characters that could forge more lines or
// drive a terminal.
void expect_one_line_error(const CommandResult& r, const std::string& what) {
  EXPECT_EQ(r.exit_code, 2) << what << "\nstderr: " << r.err << "\nstdout: " << r.out;
  EXPECT_TRUE(r.out.empty()) << what << ": stdout must stay empty, got: " << r.out;
  EXPECT_EQ(count_lines(r.err), 1u) << what << ": stderr: " << r.err;
  EXPECT_EQ(r.err.rfind("pktloss: ", 0), 0u) << what << ": stderr: " << r.err;
  for (size_t i = 0; i + 1 < r.err.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(r.err[i]);
    EXPECT_FALSE(c < 0x20 || c == 0x7f) << what << ": control byte " << int(c) << " in: " << r.err;
  }
  EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << what;
}

}  // namespace

TEST(CliErrors, UnknownOptionsAndCommands) {
  for (const std::string& a : std::vector<std::string>{
           "--bogus", "check --bogus --json", "frobnicate", "check -Z", "check --json=maybe", "",
           "trace --proto sctp --json", "probe --mode warp --target 127.0.0.1 --json"})
    expect_one_line_error(run_bad(a), a);
}

TEST(CliErrors, BadNumbers) {
  for (const std::string& a :
       std::vector<std::string>{"check -i -1 --json",
                                "check -i 1e99 --json",
                                "check -i abc --json",
                                "check -i '' --json",
                                "check -i nan --json",
                                "check -i inf --json",
                                "check -i 0x10000000000000000 --json",
                                "diagnose --target 127.0.0.1 --count 0 --json",
                                "diagnose --target 127.0.0.1 --count 99999999999999999999 --json",
                                "diagnose --target 127.0.0.1 --interval abc --json",
                                "probe --target 127.0.0.1 --count 0 --json",
                                "probe --target 127.0.0.1 --interval -5 --json",
                                "probe --target 127.0.0.1 --timeout 1e99 --json",
                                "watch --interval abc",
                                "serve --interval 0",
                                "serve --interval abc",
                                "trace -d -1 --json",
                                "trace --port 0 --json",
                                "trace --port 70000 --json",
                                "capture -i lo -d abc --json",
                                "capture -i lo --count 0 --json",
                                "check -p -1 --json",
                                "check -p abc --json",
                                "check -p 99999999999 --json",
                                "check --ready-fd -5 --json"})
    expect_one_line_error(run_bad(a), a);
}

TEST(CliErrors, TargetsThatDoNotExist) {
  TestNet net;
  for (const std::string& a : std::vector<std::string>{
           "check -n " + net.server() + "-nope --json", "check -n ../../etc/passwd --json",
           "check -n '' --json", "check -n . --json", "check -p 4000000 --json",
           "trace -n " + net.server() + "-nope -d 1 --json",
           "capture -n " + net.server() + " -i nosuchif0 -d 1 --json",
           "capture -i 'eth0;rm -rf /' -d 1 --json",
           "diagnose -n " + net.client() + " --target 10.77.0.2:0 --count 1 --json",
           "diagnose -n " + net.client() + " --target 10.77.0.2:70000 --count 1 --json",
           "diagnose -n " + net.client() + " --target no-such-host.invalid --count 1 --json",
           "diagnose -n " + net.client() + " --target '' --count 1 --json",
           "diagnose -n " + net.client() + " --target 10.77.0.2 --observe nope-" + net.server() +
               " --count 1 --json",
           "probe -n " + net.client() + " --target 10.77.0.2:abc --count 1 --json"})
    expect_one_line_error(run_bad(a), a);
}

TEST(CliErrors, KernelThreadPid) {
  // kthreadd is pid 2 in the initial pid namespace. A kernel thread is not a process to look
  // into (it has init's namespace and no sockets): a typo'd pid, so a clear error.
  auto comm = sh("cat /proc/2/comm").out;
  if (comm.rfind("kthreadd", 0) != 0) GTEST_SKIP() << "pid 2 is not kthreadd here";
  auto r = run_bad("check -p 2 --json");
  expect_one_line_error(r, "check -p 2");
  EXPECT_NE(r.err.find("kernel thread"), std::string::npos) << r.err;
}

TEST(CliErrors, ListenGarbageAndPortInUse) {
  for (const std::string& a :
       std::vector<std::string>{"serve --listen garbage", "serve --listen 127.0.0.1:99999",
                                "serve --listen :", "serve --listen 127.0.0.1:-1",
                                "serve --listen 300.1.1.1:9469", "serve --listen ''"})
    expect_one_line_error(run_bad(a), a);
  // A port someone else holds: bind fails, one line, exit 2 (not a hang).
  TestNet net;
  net.spawn(net.server(),
            "exec python3 -c 'import socket,time; s=socket.socket(); "
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
            "s.bind((\"127.0.0.1\", 19469)); s.listen(); time.sleep(60)'");
  bool listening = false;
  for (int i = 0; i < 50 && !listening; ++i) {
    listening = net.in_server("ss -Hltn 'sport = :19469' | grep -q LISTEN").exit_code == 0;
    if (!listening) usleep(100000);
  }
  ASSERT_TRUE(listening);
  auto r = sh("ip netns exec " + net.server() + " " + PKTLOSS_BINARY +
                  " serve --listen 127.0.0.1:19469 --no-trace",
              30);
  expect_one_line_error(r, "serve on a port in use");
}

TEST(CliErrors, CaptureFilesMissingUnreadableTruncatedOrNotPcap) {
  TestNet net;
  const std::string d = net.workdir();
  sh("printf 'hello, not a pcap\\n' > " + d + "/text.pcap");
  sh(": > " + d + "/empty.pcap");
  // A valid pcap header (LE, v2.4, linktype 1) and half a record header.
  sh("printf '\\xd4\\xc3\\xb2\\xa1\\x02\\x00\\x04\\x00\\0\\0\\0\\0\\0\\0\\0\\0\\xff\\xff\\0\\0"
     "\\x01\\0\\0\\0\\x01\\x02\\x03' > " +
     d + "/truncated.pcap");
  sh("cp " + d + "/text.pcap " + d + "/unreadable.pcap && chmod 000 " + d + "/unreadable.pcap");
  for (const std::string& f :
       std::vector<std::string>{"/nonexistent.pcap", "/empty.pcap", "/text.pcap"})
    expect_one_line_error(run_bad("capture --read " + d + f + " --json"), f);
  expect_one_line_error(run_bad("capture --read " + d + " --json"), "a directory");
  // Unreadable: root reads it anyway, so drop to nobody for this one.
  sh("chmod 755 " + d);
  expect_one_line_error(
      run_bad("setpriv --reuid=nobody --regid=nogroup --clear-groups " +
              std::string(PKTLOSS_BINARY) + " capture --read " + d + "/unreadable.pcap --json"),
      "unreadable");
  // A truncated last record is a capture cut short (tcpdump killed): a report with a note, or a
  // clear error; never a crash.
  auto r = run_bad("capture --read " + d + "/truncated.pcap --json");
  if (r.exit_code == 2) {
    expect_one_line_error(r, "truncated");
  } else {
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    EXPECT_FALSE(nlohmann::json::parse(r.out, nullptr, false).is_discarded()) << r.out;
  }
}

TEST(CliErrors, WriteIntoMissingDirectory) {
  TestNet net;
  auto r = run_bad("capture -n " + net.server() + " -i eth0 -d 0.5 --write " + net.workdir() +
                   "/no/such/dir/out.pcap --json");
  expect_one_line_error(r, "--write into a missing dir");
  r = run_bad("diagnose -n " + net.client() + " --target 10.77.0.2 --count 1 --sizes none --html " +
              net.workdir() + "/no/such/dir/r.html --json");
  expect_one_line_error(r, "--html into a missing dir");
}

TEST(CliErrors, NonUtf8AndControlCharactersInArguments) {
  for (const std::string& a : std::vector<std::string>{
           "check -n $'bad\\xff\\xfename' --json", "check -n $'two\\nlines' --json",
           "check -n $'esc\\x1b[31mred' --json", "check -n $'tab\\there\\r' --json",
           "capture -i $'\\x1b]0;title\\x07' -d 1 --json", "check $'--\\xff' --json",
           "probe --target $'10.77.0.2\\n:80' --count 1 --json",
           "trace --host $'\\xff\\xfe' --json",
           "capture --read $'/tmp/no\\nsuch\\x1b.pcap' --json"})
    expect_one_line_error(run_bad(a), a);
}

TEST(CliErrors, HostileOptionValues) {
  for (const std::string& a : std::vector<std::string>{
           "diagnose --target ::1 --count 1 --json", "diagnose --target [::1]:80 --count 1 --json",
           "diagnose --target 127.0.0.1: --count 1 --json", "diagnose --target :80 --json",
           "diagnose --target 127.0.0.1 --sizes 1,2,abc --count 1 --json",
           "diagnose --target 127.0.0.1 --sizes 99999999 --count 1 --json",
           "diagnose --target 127.0.0.1 --observe '' --count 1 --json",
           // A path that would end the request line and add headers of its own.
           "diagnose --target 127.0.0.1 --path $'/\\r\\nHost: evil' --count 1 --json",
           "probe --target 127.0.0.1 --mode http --path 'no-slash' --count 1 --json",
           "probe --target 127.0.0.1 --mode http --path '/a b' --count 1 --json",
           "capture -i lo --filter 'tcp port' -d 1 --json", "capture -i lo --snaplen 1 --json",
           "check -n ../x --json", "check -n x/../../y --json", "watch -n ''",
           "serve -n '' --listen 127.0.0.1:0"})
    expect_one_line_error(run_bad(a), a);
}
