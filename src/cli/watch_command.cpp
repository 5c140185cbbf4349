// pktloss watch: a live terminal view on the monitor behind `pktloss serve`.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <set>

#include "cli/command.h"
#include "cli/monitor_options.h"
#include "cli/validators.h"
#include "render/sparkline.h"
#include "render/watch_renderer.h"
#include "serve/monitor.h"

namespace pktloss {
namespace {

struct WatchOptions : MonitorTargetOptions {
  double interval_s = 2;
  double window_s = 60;
  bool no_color = false;
};

int g_signal_pipe[2] = {-1, -1};

void on_signal(int sig) {
  int saved = errno;
  unsigned char b = static_cast<unsigned char>(sig);
  if (write(g_signal_pipe[1], &b, 1) < 0) {
  }
  errno = saved;
}

void write_all(const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// Alternate screen, hidden cursor, keys without echo or line buffering; all restored by the
// destructor, whatever way the loop ends (q, Ctrl-C, SIGTERM, an exception).
class TerminalGuard {
 public:
  TerminalGuard(bool screen, bool keys) : screen_(screen) {
    if (keys && tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios raw = saved_;
      raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);  // ISIG stays: Ctrl-C is SIGINT
      raw.c_cc[VMIN] = 0;
      raw.c_cc[VTIME] = 0;
      keys_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    if (screen_) write_all("\033[?1049h\033[?25l\033[H\033[2J");
  }
  ~TerminalGuard() {
    if (screen_) write_all("\033[?25h\033[?1049l");
    if (keys_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  TerminalGuard(const TerminalGuard&) = delete;
  TerminalGuard& operator=(const TerminalGuard&) = delete;

 private:
  bool screen_;
  bool keys_ = false;
  termios saved_{};
};

std::string clock_now() {
  time_t t = time(nullptr);
  tm lt{};
  localtime_r(&t, &lt);
  char buf[16];
  strftime(buf, sizeof buf, "%H:%M:%S", &lt);
  return buf;
}

std::string finding_key(const Finding& f) {
  return f.id + "\n" + f.netns + "\n" + f.object;
}

// Findings that appeared or cleared between two reports.
size_t diff_findings(const Report* before, const Report& after, std::vector<WatchEvent>& events) {
  std::set<std::string> was, now;
  if (before)
    for (const auto& f : before->findings) was.insert(finding_key(f));
  size_t n = 0;
  std::string t = clock_now();
  for (const auto& f : after.findings) {
    now.insert(finding_key(f));
    if (!was.count(finding_key(f))) {
      events.push_back({t, true, f.id, to_string(f.severity), f.netns, f.object});
      ++n;
    }
  }
  if (before)
    for (const auto& f : before->findings)
      if (!now.count(finding_key(f))) {
        events.push_back({t, false, f.id, to_string(f.severity), f.netns, f.object});
        ++n;
      }
  if (events.size() > 200) events.erase(events.begin(), events.end() - 200);
  return n;
}

int run_watch(const WatchOptions& o) {
  const bool tty = isatty(STDOUT_FILENO);
  const bool keys = isatty(STDIN_FILENO);
  if (pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe failed");
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGWINCH}) sigaction(s, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  MonitorOptions mo;
  mo.interval_s = o.interval_s;
  mo.window_s = o.window_s;
  mo.all_netns = o.all_netns;
  mo.netns_names = o.netns;
  mo.trace = o.trace;
  Monitor monitor(mo);
  std::vector<WatchEvent> events;
  std::shared_ptr<const MonitorState> shown;
  {
    TerminalGuard term(tty, keys && tty);
    if (tty) write_all("pktloss watch: collecting...\033[K\n");
    monitor.start();
    bool quit = false, redraw = true;
    while (!quit) {
      auto st = monitor.latest();
      if (st && (!shown || st->generation != shown->generation)) {
        // The first collection has no window (lifetime totals, weak evidence): its findings are
        // shown but are not events; events start with the first windowed report.
        size_t n = 0;
        if (st->report.window_s > 0)
          n = diff_findings(shown && shown->report.window_s > 0 ? &shown->report : nullptr,
                            st->report, events);
        shown = st;
        redraw = true;
        if (!tty) {
          WatchView v{shown.get(), &events, 0, 0, false};
          write_all(render_watch_lines(v, n));
        }
      }
      if (tty && redraw && shown) {
        winsize ws{};
        int w = 100, h = 40;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
          w = ws.ws_col;
          h = ws.ws_row;
        }
        WatchView v{shown.get(), &events,
                    w,           h,
                    !o.no_color, utf8_locale(getenv("LC_ALL"), getenv("LC_CTYPE"), getenv("LANG"))};
        write_all("\033[H" + render_watch_screen(v) + "\033[J");
        redraw = false;
      }
      pollfd fds[2] = {{g_signal_pipe[0], POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
      int nfds = keys && tty ? 2 : 1;
      if (poll(fds, nfds, 200) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        unsigned char sig = 0;
        while (read(g_signal_pipe[0], &sig, 1) == 1) {
          if (sig == SIGWINCH)
            redraw = true;
          else
            quit = true;
        }
      }
      if (nfds == 2 && (fds[1].revents & (POLLIN | POLLHUP))) {
        char buf[64];
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n == 0) quit = true;  // terminal gone
        for (ssize_t i = 0; i < n; ++i)
          if (buf[i] == 'q' || buf[i] == 'Q' || buf[i] == 3) quit = true;
      }
    }
    monitor.stop();
  }
  return kExitClean;
}

}  // namespace

void register_watch_command(CLI::App& app, CommonOptions& common, CommandRunner& run) {
  (void)common;
  auto* sub = app.add_subcommand(
      "watch", "live view: drops per second per layer, kernel drop reasons, findings");
  auto opts = std::make_shared<WatchOptions>();
  add_monitor_target_options(*sub, *opts);
  sub->add_option("--interval", opts->interval_s, "seconds between refreshes")
      ->check(real_range(0.2, 3600.0));
  sub->add_option("--window", opts->window_s, "seconds the findings are evaluated over")
      ->check(real_range(0.2, 86400.0));
  sub->add_flag("--no-color", opts->no_color, "no colour");
  sub->callback([&run, opts] { run = [opts] { return run_watch(*opts); }; });
}

}  // namespace pktloss
