// Socket layer: accept-queue overflow, receive-buffer overflow, backlog drops. Names the sockets
// (sock_diag) and their owner processes, and computes fixes from the current sysctls.
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "model/finding_kind.h"
#include "rules/place.h"
#include "rules/proc_rule_util.h"
#include "rules/rule_families.h"

namespace pktloss {
namespace {

using namespace proc_rules;

uint64_t next_pow2(uint64_t v) {
  uint64_t p = 1;
  while (p < v && p < (uint64_t{1} << 62)) p <<= 1;
  return p;
}

// Drops this socket counted in the window (its lifetime count without a window).
uint64_t socket_drops(const RuleInput& in, const SocketMatcher& m, const Socket& s) {
  if (!in.windowed()) return s.drops;
  const Socket* b = m.find(s);
  if (!b) return 0;  // new socket: its count is not from the window
  return counter_delta(b->drops, s.drops).delta;
}

Evidence socket_evidence(const SocketMatcher& m, const Socket& s, const std::string& text) {
  const Socket* b = m.find(s);
  Evidence e =
      value_evidence("sock_diag", "drops", b ? std::optional<uint64_t>(b->drops) : std::nullopt,
                     s.drops, socket_text(s) + ": " + text + "; " + owners_text(s));
  return e;
}

void listen_overflow(const RuleInput& in, Findings& out) {
  uint64_t drops = moved_sum(in, {"TcpExt.ListenDrops"});
  drops = std::max(drops, moved_sum(in, {"TcpExt.ListenOverflows"}));
  SocketMatcher matcher(in.before);
  std::vector<const Socket*> full;
  for (const auto& s : in.after.sockets) {
    if (s.proto != "tcp" || s.state != "LISTEN") continue;
    bool queue_full = s.rqueue > 0 && s.rqueue >= s.wqueue;
    // A listener's own drop counter also moves for RSTs to half-open connections (our SYN
    // probes send one per SYN-ACK) and bad ACKs: it names the overflowing listener only when
    // the namespace's listen-drop counters moved too.
    if (queue_full || (drops > 0 && socket_drops(in, matcher, s) > 0)) full.push_back(&s);
  }
  bool moved_now = in.windowed() && drops >= in.config.min_window_events;
  if (drops == 0 && full.empty()) return;
  if (in.windowed() && !moved_now && full.empty()) return;

  Finding f = new_finding(in, kinds::socket_listen_overflow.id, Layer::socket);
  add_counters(in, {"TcpExt.ListenOverflows", "TcpExt.ListenDrops", "TcpExt.TCPReqQFullDrop"}, f);
  f.moved_in_window = moved_now;
  f.volume = drops;
  bool full_now =
      std::any_of(full.begin(), full.end(), [](const Socket* s) { return s->rqueue >= s->wqueue; });
  f.severity = moved_now ? Severity::critical : full_now ? Severity::warning : Severity::info;
  f.confidence = moved_now ? (full.empty() ? 0.8 : 0.95) : 0.4;

  auto somaxconn = sysctl_u64(in, "net.core.somaxconn");
  if (somaxconn)
    f.evidence.push_back(
        fact_evidence("/proc/sys", "net.core.somaxconn = " + std::to_string(*somaxconn)));
  bool raise_somaxconn = false;
  uint64_t want_backlog = 0;
  for (const Socket* s : full) {
    std::string text = "accept queue " + std::to_string(s->rqueue) + "/" +
                       std::to_string(s->wqueue) + (s->rqueue >= s->wqueue ? " (full)" : "");
    Evidence e = socket_evidence(matcher, *s, text);
    f.moved_in_window |= e.in_window;
    f.evidence.push_back(std::move(e));
    uint64_t want = raised(s->wqueue, 128);
    want_backlog = std::max(want_backlog, want);
    // listen(fd, n) is capped at somaxconn: at the cap, the sysctl is the limit, else the app.
    if (somaxconn && s->wqueue >= *somaxconn) raise_somaxconn = true;
    std::string who = s->owners.empty()
                          ? std::string("the application")
                          : s->owners[0].comm + " (pid " + std::to_string(s->owners[0].pid) + ")";
    f.fix.push_back("# " + shell_comment("raise the listen() backlog of " + socket_text(*s) +
                                         " in " + who + " from " + std::to_string(s->wqueue) +
                                         " to " + std::to_string(want) + ", and accept() faster"));
  }
  if (somaxconn && (raise_somaxconn || want_backlog > *somaxconn))
    f.fix.insert(f.fix.begin(),
                 sysctl_fix(in, "net.core.somaxconn",
                            std::to_string(std::max(raised(*somaxconn), want_backlog))));
  if (moved_sum(in, {"TcpExt.TCPReqQFullDrop"}) > 0)
    if (auto b = sysctl_u64(in, "net.ipv4.tcp_max_syn_backlog"))
      f.fix.push_back(sysctl_fix(in, "net.ipv4.tcp_max_syn_backlog", std::to_string(raised(*b))));
  if (f.fix.empty())
    f.fix.push_back(in_ns(in.after, {"ss", "-ltn"}, "Recv-Q >= Send-Q: queue full"));

  f.object = full.empty() ? std::string("tcp listeners") : socket_text(*full.front());
  if (!full.empty()) f.place = socket_place(*full.front());
  std::string owner = full.empty() ? "" : " (" + owners_text(*full.front()) + ")";
  f.summary = std::to_string(drops) +
              " connections dropped because a listener's accept queue "
              "was full " +
              window_word(in) + (full.empty() ? "" : ": " + socket_text(*full.front()) + owner);
  f.explanation =
      "The kernel completes the handshake and parks the connection in the listener's accept "
      "queue until the application calls accept(). When the queue (the listen() backlog, capped "
      "by net.core.somaxconn) is full, new handshakes are dropped: clients retransmit their SYN "
      "and see connects that take 1 s, 3 s, 7 s or time out. The application accepts too slowly "
      "or its backlog is too small.";
  out.push_back(std::move(f));
}

void rcvbuf(const RuleInput& in, Findings& out) {
  const std::vector<std::string> keys = {"Udp.RcvbufErrors", "Udp6.RcvbufErrors",
                                         "UdpLite.RcvbufErrors", "UdpLite6.RcvbufErrors",
                                         "TcpExt.TCPRcvQDrop"};
  uint64_t n = moved_sum(in, keys);
  uint64_t mem_errors = moved_sum(in, {"Udp.MemErrors", "Udp6.MemErrors"});
  if (n + mem_errors == 0) return;
  bool moved_now = in.windowed() && n + mem_errors >= in.config.min_window_events;
  if (in.windowed() && !moved_now) return;

  Finding f = new_finding(in, kinds::socket_rcvbuf.id, Layer::socket);
  add_counters(in, keys, f);
  add_counters(in, {"Udp.MemErrors", "Udp6.MemErrors", "Udp.InErrors"}, f);
  f.moved_in_window = moved_now;
  f.volume = n + mem_errors;
  f.severity = moved_now ? Severity::critical : Severity::info;

  SocketMatcher matcher(in.before);
  std::vector<std::pair<uint64_t, const Socket*>> culprits;
  for (const auto& s : in.after.sockets) {
    if (s.proto == "tcp" && s.state == "LISTEN") continue;  // listen drops: listen_overflow
    uint64_t d = socket_drops(in, matcher, s);
    if (d > 0) culprits.push_back({d, &s});
  }
  std::sort(culprits.begin(), culprits.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  if (culprits.size() > 10) culprits.resize(10);
  f.confidence = moved_now ? (culprits.empty() ? 0.75 : 0.95) : 0.3;

  auto rmem_max = sysctl_u64(in, "net.core.rmem_max");
  auto rmem_default = sysctl_u64(in, "net.core.rmem_default");
  uint32_t biggest = 0;
  for (const auto& [d, s] : culprits) {
    Evidence e =
        socket_evidence(matcher, *s,
                        "receive buffer " + std::to_string(s->rmem_alloc) + "/" +
                            std::to_string(s->rcvbuf) + " bytes used, " + std::to_string(d) +
                            " drops " + (in.windowed() ? "in the window" : "since it opened"));
    f.moved_in_window |= e.in_window;
    f.evidence.push_back(std::move(e));
    biggest = std::max(biggest, s->rcvbuf);
  }
  if (rmem_max)
    f.evidence.push_back(fact_evidence(
        "/proc/sys",
        "net.core.rmem_max = " + std::to_string(*rmem_max) +
            (rmem_default ? ", net.core.rmem_default = " + std::to_string(*rmem_default) : "")));
  // The buffer a dropping socket needs: 4x the one that overflowed, and at least twice the
  // default. setsockopt(SO_RCVBUF, n) gives 2n (the kernel doubles it for overhead) but n is
  // capped at rmem_max, so rmem_max only needs raising when the request would hit the cap, or when
  // a socket already sits at the cap.
  uint64_t want = next_pow2(
      std::max<uint64_t>(uint64_t{biggest} * 4, rmem_default ? raised(*rmem_default) : 0));
  uint64_t request = want / 2;
  bool at_cap = false;
  for (const auto& c : culprits) at_cap |= rmem_max && c.second->rcvbuf >= 2 * *rmem_max;
  if (n > 0 && rmem_max && (culprits.empty() || at_cap || request > *rmem_max))
    f.fix.push_back(
        sysctl_fix(in, "net.core.rmem_max", std::to_string(std::max(raised(*rmem_max), request))));
  bool app_never_set_it = false;
  for (const auto& [d, s] : culprits) {
    if (s->proto != "udp") continue;
    app_never_set_it |= rmem_default && s->rcvbuf == *rmem_default;
    std::string who = s->owners.empty()
                          ? std::string("the application")
                          : s->owners[0].comm + " (pid " + std::to_string(s->owners[0].pid) + ")";
    f.fix.push_back("# " +
                    shell_comment(who + ": setsockopt(SO_RCVBUF, " + std::to_string(request) +
                                  ") on " + socket_text(*s) + " (now " + std::to_string(s->rcvbuf) +
                                  " bytes), and read it faster"));
  }
  // A socket on the default buffer: raising the default helps without touching the app.
  if (app_never_set_it && want > *rmem_default)
    f.fix.push_back(sysctl_fix(in, "net.core.rmem_default", std::to_string(want)));
  if (moved_sum(in, {"TcpExt.TCPRcvQDrop"}) > 0) {
    if (auto v = sysctl(in, "net.ipv4.tcp_rmem")) {
      std::istringstream is(v->value);
      uint64_t lo = 0, def = 0, hi = 0;
      if (is >> lo >> def >> hi)
        f.fix.push_back(sysctl_fix(
            in, "net.ipv4.tcp_rmem",
            std::to_string(lo) + " " + std::to_string(def) + " " + std::to_string(raised(hi))));
    }
  }
  if (mem_errors > 0) {
    if (auto v = sysctl(in, "net.ipv4.udp_mem")) {
      std::istringstream is(v->value);
      uint64_t a = 0, b = 0, c = 0;
      if (is >> a >> b >> c)
        f.fix.push_back(sysctl_fix(in, "net.ipv4.udp_mem",
                                   std::to_string(raised(a)) + " " + std::to_string(raised(b)) +
                                       " " + std::to_string(raised(c))));
    }
  }
  if (f.fix.empty())
    f.fix.push_back(in_ns(in.after, {"ss", "-uampn"}, "skmem d<N>: drops per socket"));

  f.object = culprits.empty() ? std::string("socket receive buffers")
                              : socket_text(*culprits.front().second);
  if (!culprits.empty()) f.place = socket_place(*culprits.front().second);
  f.summary = std::to_string(n + mem_errors) +
              " datagrams/segments dropped because a socket's receive buffer was full " +
              window_word(in) +
              (culprits.empty() ? ""
                                : ": " + socket_text(*culprits.front().second) + " (" +
                                      owners_text(*culprits.front().second) + ")");
  f.explanation =
      "Every socket has a receive buffer (SO_RCVBUF, capped by net.core.rmem_max). When the "
      "application reads slower than packets arrive, the buffer fills and the kernel drops "
      "whatever comes next; UDP counts it in RcvbufErrors, TCP in TCPRcvQDrop. Read faster "
      "(more threads, recvmmsg) or give the socket a bigger buffer." +
      std::string(mem_errors ? " MemErrors means the global UDP memory limit (udp_mem) was "
                               "reached."
                             : "");
  out.push_back(std::move(f));
}

// Softnet counters are per CPU and host-wide; every namespace shows the same numbers, so only
// one namespace speaks for them: the host when it is observed, else the first one that has them.
bool speaks_for_softnet(const RuleInput& in) {
  const NetnsSnapshot* owner = nullptr;
  for (const auto& ns : in.snapshot_after.namespaces)
    if (ns.name == "host" && !ns.softnet.empty()) owner = &ns;
  if (!owner)
    for (const auto& ns : in.snapshot_after.namespaces)
      if (!ns.softnet.empty()) {
        owner = &ns;
        break;
      }
  return owner == &in.after;
}

struct SoftnetMoves {
  uint64_t dropped = 0, squeezed = 0, flow_limit = 0;
  std::vector<std::string> per_cpu;
};

SoftnetMoves softnet_moves(const RuleInput& in) {
  SoftnetMoves m;
  for (const auto& c : in.after.softnet) {
    const SoftnetCpu* b = nullptr;
    if (in.before)
      for (const auto& p : in.before->softnet)
        if (p.cpu == c.cpu) b = &p;
    if (in.before && !b) continue;  // CPU came online in the window: no window count for it
    uint64_t d = b ? counter_delta(b->dropped, c.dropped).delta : c.dropped;
    uint64_t s = b ? counter_delta(b->time_squeeze, c.time_squeeze).delta : c.time_squeeze;
    uint64_t fl =
        b ? counter_delta(b->flow_limit_count, c.flow_limit_count).delta : c.flow_limit_count;
    m.dropped += d;
    m.squeezed += s;
    m.flow_limit += fl;
    if ((d || s || fl) && m.per_cpu.size() < 16)
      m.per_cpu.push_back("cpu" + std::to_string(c.cpu) + ": dropped " + std::to_string(d) +
                          ", time_squeeze " + std::to_string(s) +
                          (fl ? ", flow_limit " + std::to_string(fl) : ""));
  }
  return m;
}

void backlog(const RuleInput& in, Findings& out) {
  SoftnetMoves sn;
  if (speaks_for_softnet(in)) sn = softnet_moves(in);
  uint64_t tcp_backlog = moved_sum(in, {"TcpExt.TCPBacklogDrop"});
  uint64_t drops = sn.dropped + sn.flow_limit + tcp_backlog;
  if (drops == 0 && sn.squeezed == 0) return;
  uint64_t min = in.config.min_window_events;
  bool moved_now = in.windowed() && (drops >= min || sn.squeezed >= min);
  if (in.windowed() && !moved_now) return;

  Finding f = new_finding(in, kinds::socket_backlog.id, Layer::socket);
  f.moved_in_window = moved_now;
  f.volume = drops;
  if (!in.windowed() || drops == 0)
    f.severity = Severity::info;  // lifetime totals, or time_squeeze alone (delayed, not lost)
  else
    f.severity = sn.dropped + sn.flow_limit >= min ? Severity::critical : Severity::warning;
  f.confidence = moved_now && drops ? 0.85 : 0.4;
  for (const auto& line : sn.per_cpu) {
    Evidence e = fact_evidence("/proc/net/softnet_stat", line + " (" + window_word(in) + ")");
    e.in_window = in.windowed();
    f.evidence.push_back(std::move(e));
  }
  add_counters(in, {"TcpExt.TCPBacklogDrop"}, f);

  if (sn.dropped + sn.flow_limit > 0) {
    if (auto v = sysctl_u64(in, "net.core.netdev_max_backlog")) {
      f.evidence.push_back(
          fact_evidence("/proc/sys", "net.core.netdev_max_backlog = " + std::to_string(*v)));
      f.fix.push_back(sysctl_fix(in, "net.core.netdev_max_backlog", std::to_string(raised(*v))));
    }
  }
  if (sn.squeezed > 0) {
    for (const char* name : {"net.core.netdev_budget", "net.core.netdev_budget_usecs"}) {
      if (auto v = sysctl_u64(in, name)) {
        f.evidence.push_back(
            fact_evidence("/proc/sys", std::string(name) + " = " + std::to_string(*v)));
        f.fix.push_back(sysctl_fix(in, name, std::to_string(raised(*v))));
      }
    }
  }
  if (tcp_backlog > 0) {
    if (auto v = sysctl(in, "net.ipv4.tcp_rmem")) {
      std::istringstream is(v->value);
      uint64_t lo = 0, def = 0, hi = 0;
      if (is >> lo >> def >> hi)
        f.fix.push_back(sysctl_fix(
            in, "net.ipv4.tcp_rmem",
            std::to_string(lo) + " " + std::to_string(def) + " " + std::to_string(raised(hi))));
    }
  }
  if (f.fix.empty())
    f.fix.push_back(with_note({"cat", "/proc/net/softnet_stat"}, "columns 2-3: dropped, squeezed"));

  f.object = sn.dropped + sn.flow_limit + sn.squeezed > 0 ? "softnet backlog (per CPU, host-wide)"
                                                          : "tcp socket backlog";
  f.summary = std::to_string(drops) +
              " packets dropped in the CPU input backlog / socket backlog " + window_word(in) +
              (sn.squeezed ? " (" + std::to_string(sn.squeezed) + " time squeezes)" : "");
  f.explanation =
      "Received packets wait in a per-CPU backlog (net.core.netdev_max_backlog) until the "
      "softirq processes them; when it is full they are dropped (softnet 'dropped'). "
      "time_squeeze means the softirq ran out of budget (netdev_budget) with work left: a "
      "warning sign, not yet a loss. TCPBacklogDrop: a TCP socket's backlog overflowed while "
      "the application held it.";
  out.push_back(std::move(f));
}

}  // namespace

void socket_rules(const RuleInput& in, Findings& out) {
  listen_overflow(in, out);
  rcvbuf(in, out);
  backlog(in, out);
}

}  // namespace pktloss
