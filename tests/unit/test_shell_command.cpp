// The one quoting function: every byte of a hostile argument stays inside its argument when the
// command line goes through a real POSIX shell, and nothing in it runs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "firewall/fw_args.h"
#include "util/shell_command.h"
#include "rules/netns_prefix.h"

namespace pktloss {
namespace {

const std::vector<std::string> kHostile = {
    "x $(touch PWNED) y",
    "`touch PWNED`",
    "$HOME",
    "${HOME}",
    "it's",
    "\"double\"",
    "'single'",
    "back\\slash\\",
    "new\nline",
    "tab\there",
    "; touch PWNED",
    "a && b || c | d & e",
    "> out < in",
    "~root",
    "#hash",
    "*?[a]",
    "!history",
    "'\\''",
    "",
    "=x",
    "A=1",
    "\x01\x7f\xff",
    "end\\",
};

// Runs `sh -c 'printf %s "$1"' sh ARG-as-a-command-line` and returns what printf got.
std::string through_sh(const std::string& quoted) {
  std::string script = "printf %s " + quoted;
  int fds[2];
  if (pipe(fds) != 0) return "<pipe failed>";
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  return out;
}

TEST(ShellCommand, HostileArgumentsRoundTripThroughSh) {
  char dir[] = "/tmp/pktloss-quote-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  ASSERT_EQ(chdir(dir), 0);
  for (const auto& s : kHostile) {
    if (s.empty()) continue;  // printf %s '' prints nothing either way
    EXPECT_EQ(through_sh(quote_arg(s)), s) << quote_arg(s);
  }
  EXPECT_NE(access("PWNED", F_OK), 0) << "a quoted argument ran a command";
  ASSERT_EQ(chdir("/"), 0);
  rmdir(dir);
}

TEST(ShellCommand, EmptyArgumentStaysAnArgument) {
  EXPECT_EQ(quote_arg(""), "''");
}

TEST(ShellCommand, PlainWordsStayReadable) {
  EXPECT_EQ(
      command_line({"iptables", "-t", "filter", "-D", "INPUT", "-s", "10.0.0.0/8", "-j", "DROP"}),
      "iptables -t filter -D INPUT -s 10.0.0.0/8 -j DROP");
  EXPECT_EQ(command_line({"sysctl", "-w", "net.core.rmem_max=4096"}),
            "sysctl -w net.core.rmem_max=4096");
  EXPECT_EQ(quote_arg("it's"), "'it'\\''s'");
  // NAME=VALUE would be an assignment as a first word.
  EXPECT_EQ(quote_arg("A=1"), "'A=1'");
  EXPECT_EQ(quote_arg("~root"), "'~root'");
}

TEST(ShellCommand, NetnsPrefixQuotesTheName) {
  EXPECT_EQ(command_in_netns("host", {"ss", "-ltn"}), "ss -ltn");
  EXPECT_EQ(command_in_netns("a$(x)", {"ss"}), "ip netns exec 'a$(x)' ss");
  EXPECT_EQ(command_in_netns("pid:42", {"ss"}), "nsenter -t 42 -n ss");
  EXPECT_EQ(command_in_netns("netns:4026", {"ss"}, "x\ny"),
            "ss   # inside namespace netns:4026; x?y");
}

TEST(ShellCommand, CommentsCannotStartANewLine) {
  EXPECT_EQ(shell_comment("a\nrm -rf /\r"), "a?rm -rf /?");
}

TEST(ShellCommand, WordsSplitOnlyOnSpaces) {
  EXPECT_EQ(words(" parent 1: handle  10: "), (Argv{"parent", "1:", "handle", "10:"}));
}

TEST(FwArgs, SplitsIptablesSaveLikeIptablesRestore) {
  EXPECT_EQ(
      split_ipt_save_args(R"(-p tcp -m comment --comment "x $(touch PWNED) \"q\" \\ \'y" -j DROP)"),
      (std::vector<std::string>{"-p", "tcp", "-m", "comment", "--comment",
                                "x $(touch PWNED) \"q\" \\ 'y", "-j", "DROP"}));
  EXPECT_EQ(split_ipt_save_args("-j  DROP"), (std::vector<std::string>{"-j", "DROP"}));
}

TEST(FwArgs, NftNames) {
  EXPECT_EQ(nft_name("INPUT"), "INPUT");
  EXPECT_EQ(nft_name("my chain"), "\"my chain\"");
  EXPECT_EQ(nft_name("a\"b"), std::nullopt);
}

}  // namespace
}  // namespace pktloss
