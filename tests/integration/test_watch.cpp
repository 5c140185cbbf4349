// pktloss watch under a real terminal (tmux): the live view shows the netfilter layer's drop
// rate and the finding appear when a DROP rule is hit mid-run and clear when it is removed; q
// quits and the terminal (alternate screen, cursor, termios) is restored.
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>

#include "serve_util.h"
#include "testnet.h"

using pktloss::testing::sh;
using pktloss::testing::TempDir;
using pktloss::testing::TestNet;
using pktloss::testing::wait_until;

namespace {

// A detached tmux session, killed at scope exit whatever happens.
class Tmux {
 public:
  Tmux(const std::string& cmd) : name_("pktlw" + std::to_string(getpid())) {
    sh("tmux kill-session -t " + name_ + " 2>/dev/null");
    auto r = sh("tmux new-session -d -s " + name_ + " -x 160 -y 45 " + quote(cmd));
    ok_ = r.exit_code == 0;
  }
  ~Tmux() { sh("tmux kill-session -t " + name_ + " 2>/dev/null"); }
  bool ok() const { return ok_; }
  std::string capture() const { return sh("tmux capture-pane -p -t " + name_).out; }
  void keys(const std::string& k) const { sh("tmux send-keys -t " + name_ + " " + k); }

 private:
  static std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  }
  std::string name_;
  bool ok_ = false;
};

// The netfilter column of the namespace's row in the rates table (-1 when not shown).
double netfilter_rate(const std::string& screen, const std::string& ns) {
  std::istringstream in(screen);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string name, link, qdisc, nf;
    ls >> name >> link >> qdisc >> nf;
    if (name == ns && !nf.empty() && nf != "-") return std::atof(nf.c_str());
  }
  return -1;
}

}  // namespace

TEST(Watch, TerminalViewShowsFaultAppearAndClearAndRestoresTerminal) {
  if (sh("command -v tmux").exit_code != 0) GTEST_SKIP() << "tmux not installed";
  TestNet net;
  net.start_nginx();
  TempDir tmp;
  std::string done = tmp.path() + "/done";
  Tmux t("a=$(stty -g); " + std::string(PKTLOSS_BINARY) + " watch -n " + net.server() +
         " --interval 1 --window 3 --no-trace; rc=$?; b=$(stty -g); "
         "[ \"$a\" = \"$b\" ] && echo TERMIOS-RESTORED; echo watch exited $rc; echo $rc > " +
         done + "; sleep 120");
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(wait_until([&] { return netfilter_rate(t.capture(), net.server()) >= 0; }, 30))
      << t.capture();
  EXPECT_NE(t.capture().find("Findings"), std::string::npos);

  ASSERT_EQ(net.in_server("iptables -A INPUT -m statistic --mode random --probability 0.3 -j DROP")
                .exit_code,
            0);
  net.spawn(net.client(),
            "while true; do curl -s -o /dev/null -m 1 http://10.77.0.2/; sleep 0.05; done");
  EXPECT_TRUE(wait_until([&] { return netfilter_rate(t.capture(), net.server()) > 0; }, 20))
      << t.capture();
  EXPECT_TRUE(wait_until(
      [&] {
        std::string s = t.capture();
        return s.find("+ appeared netfilter.drop_rule") != std::string::npos &&
               s.find("CRITICAL") != std::string::npos;
      },
      20))
      << t.capture();

  // The netfilter layer's sparkline rises above its lowest block (ASCII outside UTF-8).
  auto spark = [&] {
    std::istringstream in(t.capture());
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("  netfilter   ", 0) == 0) return line.substr(14, line.find("  now") - 14);
    return std::string();
  };
  EXPECT_TRUE(wait_until(
      [&] {
        std::string sp = spark();
        for (const std::string low : {"\u2581", "_", " "})
          for (size_t at; (at = sp.find(low)) != std::string::npos;) sp.erase(at, low.size());
        return !sp.empty();
      },
      20))
      << t.capture();
  if (const char* art = getenv("PKTLOSS_ARTIFACTS"))
    sh(std::string("mkdir -p ") + art + " && tmux capture-pane -p -t pktlw" +
       std::to_string(getpid()) + " > " + art + "/watch_screen.txt");

  ASSERT_EQ(net.in_server("iptables -D INPUT -m statistic --mode random --probability 0.3 -j DROP")
                .exit_code,
            0);
  EXPECT_TRUE(wait_until(
      [&] { return t.capture().find("- cleared  netfilter.drop_rule") != std::string::npos; }, 20))
      << t.capture();

  t.keys("q");
  ASSERT_TRUE(wait_until([&] { return !pktloss::testing::slurp(done).empty(); }, 10))
      << t.capture();
  std::string s = t.capture();
  EXPECT_NE(s.find("watch exited 0"), std::string::npos) << s;
  EXPECT_NE(s.find("TERMIOS-RESTORED"), std::string::npos) << s;
  EXPECT_EQ(s.find("Drops per second"), std::string::npos) << "alternate screen left: " << s;
  auto cursor = sh("tmux display -p -t pktlw" + std::to_string(getpid()) + " '#{cursor_flag}'");
  EXPECT_EQ(cursor.out, "1\n") << "cursor visible again";
}

TEST(Watch, PlainLinesWhenNotATerminalAndCleanExitOnCtrlC) {
  TestNet net;
  auto r =
      sh("timeout --preserve-status -s INT 3 " + std::string(PKTLOSS_BINARY) + " watch -n " +
             net.server() + " --interval 0.5 --no-trace > " + net.workdir() + "/w.out; echo $?",
         20);
  std::string out = pktloss::testing::slurp(net.workdir() + "/w.out");
  EXPECT_EQ(r.out, "0\n") << "SIGINT is a clean exit";
  EXPECT_EQ(out.find('\033'), std::string::npos) << "no escape sequences in a pipe";
  EXPECT_NE(out.find(net.server() + " drops/s link="), std::string::npos) << out;
}
