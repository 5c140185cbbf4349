// Raw TCP SYN probes (like `hping3 -S -p PORT`): one source port per probe, answers matched by
// ports and ack == our seq + 1. The kernel answers each SYN-ACK with a RST because no socket owns
// the port: that is our own traffic (record_own_traffic notes it).
#include <linux/filter.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "probe/probe_stats.h"
#include "probe/probes.h"
#include "probe/socket_util.h"
#include "probe/syn_answer.h"

namespace pktloss {
namespace {

using probe::Fd;

// Only TCP segments from target:port reach the socket, so a busy host does not flood us.
void attach_filter(int fd, in_addr target, uint16_t port) {
  const uint32_t ip = ntohl(target.s_addr);
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 12),  // ip saddr
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ip, 0, 4),
      BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),  // x = ip header length
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 0),   // tcp source port
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0xffff),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
  // Best effort: without the filter we still match in user space.
  setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

struct SynState {
  uint16_t port_base = 0;
  uint32_t port_window = 1;
  uint32_t isn_base = 0;
  std::vector<double> sent_at;  // per probe index
  std::vector<double> rtt;      // < 0: unanswered
  uint64_t synack = 0, rst = 0;

  uint16_t sport(uint64_t i) const { return static_cast<uint16_t>(port_base + i % port_window); }
};

void build_syn(uint8_t* seg, in_addr src, in_addr dst, uint16_t sport, uint16_t dport,
               uint32_t seq) {
  std::memset(seg, 0, 20);
  auto* th = reinterpret_cast<tcphdr*>(seg);
  th->source = htons(sport);
  th->dest = htons(dport);
  th->seq = htonl(seq);
  th->doff = 5;
  th->syn = 1;
  th->window = htons(64240);
  // Pseudo-header: src, dst, zero, protocol, TCP length.
  uint32_t sum = 0;
  uint32_t s = ntohl(src.s_addr), d = ntohl(dst.s_addr);
  sum += s >> 16;
  sum += s & 0xffff;
  sum += d >> 16;
  sum += d & 0xffff;
  sum += IPPROTO_TCP;
  sum += 20;
  th->check = htons(probe::inet_checksum(seg, 20, sum));
}

void handle_reply(const uint8_t* b, size_t n, const ProbePlan& plan, in_addr target, uint64_t sent,
                  double t, SynState& st) {
  auto a = parse_syn_answer(b, n, target, plan.port);
  if (!a) return;
  uint64_t idx = static_cast<uint32_t>(a->ack - 1u - st.isn_base);
  if (idx >= sent || a->dport != st.sport(idx) || st.rtt[idx] >= 0) return;
  st.rtt[idx] = t - st.sent_at[idx];
  if (a->synack)
    ++st.synack;
  else
    ++st.rst;
}

}  // namespace

std::optional<SynAnswer> parse_syn_answer(const uint8_t* b, size_t n, in_addr target,
                                          uint16_t port) {
  if (n < 20 || (b[0] >> 4) != 4) return std::nullopt;
  size_t ihl = static_cast<size_t>(b[0] & 0x0f) * 4;
  if (ihl < 20 || n < ihl + 20 || b[9] != IPPROTO_TCP) return std::nullopt;
  uint32_t saddr;
  std::memcpy(&saddr, b + 12, 4);
  if (saddr != target.s_addr) return std::nullopt;
  tcphdr th;
  std::memcpy(&th, b + ihl, sizeof th);
  if (ntohs(th.source) != port) return std::nullopt;
  SynAnswer a;
  a.synack = th.syn && th.ack;
  a.rst = th.rst && th.ack;
  if (!a.synack && !a.rst) return std::nullopt;
  a.dport = ntohs(th.dest);
  a.ack = ntohl(th.ack_seq);
  return a;
}

ProbeResult probe_syn(const ProbePlan& plan) {
  ProbeResult r;
  r.kind = "tcp-syn";
  r.target = plan.host + ":" + std::to_string(plan.port);
  r.source_netns = plan.source_netns;
  sockaddr_in dst = probe::make_addr(plan.host, plan.port);
  probe::LocalPath lp = probe::local_path_to(dst);
  if (!lp.has_src) {
    r.detail = "no route to " + plan.host + ": " + lp.error;
    return r;
  }
  Fd raw(socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
  if (!raw.ok()) {
    r.detail = "raw socket unavailable (needs CAP_NET_RAW): " + probe::errno_text(errno);
    return r;
  }
  int buf = 8 << 20;
  if (setsockopt(raw.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) != 0)
    setsockopt(raw.get(), SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  attach_filter(raw.get(), dst.sin_addr, plan.port);

  const uint64_t count = static_cast<uint64_t>(std::max(plan.count, 0));
  SynState st;
  std::random_device rd;
  std::mt19937 rng(rd());
  // Ports 20000-31999: below the usual ephemeral range so real connections are not disturbed.
  st.port_window = static_cast<uint32_t>(std::clamp<uint64_t>(count, 1, 4096));
  st.port_base = static_cast<uint16_t>(20000 + rng() % (12000 - st.port_window));
  st.isn_base = rng();
  st.sent_at.assign(count, 0);
  st.rtt.assign(count, -1);

  const double t0 = probe::now_ms();
  const double interval = std::max(plan.interval_ms, 0);
  uint64_t sent = 0, send_errors = 0;
  uint8_t seg[20];
  uint8_t rx[2048];
  double last_send = t0;
  auto answered = [&] { return st.synack + st.rst; };
  // Hard stop even if sending keeps failing with ENOBUFS (a full qdisc): never run unbounded.
  const double hard_deadline =
      t0 + interval * static_cast<double>(count) + plan.straggler_ms + 5000;
  for (;;) {
    double now = probe::now_ms();
    if (now > hard_deadline) break;
    // Send what is due (a small burst when interval is 0 so receiving keeps up).
    int burst = 0;
    while (sent < count && now >= t0 + interval * static_cast<double>(sent) && burst < 32) {
      build_syn(seg, lp.src, dst.sin_addr, st.sport(sent), plan.port,
                st.isn_base + static_cast<uint32_t>(sent));
      sockaddr_in to = dst;
      to.sin_port = 0;  // raw sockets ignore it; the port is in our header
      st.sent_at[sent] = probe::now_ms();
      ssize_t w =
          sendto(raw.get(), seg, sizeof seg, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      if (w < 0 && (errno == EAGAIN || errno == ENOBUFS)) break;  // retry after draining
      if (w < 0) ++send_errors;  // e.g. EPERM from an OUTPUT rule: sent but never on the wire
      last_send = st.sent_at[sent];
      ++sent;
      ++burst;
      now = probe::now_ms();
    }
    // Drain answers.
    for (;;) {
      ssize_t n = recv(raw.get(), rx, sizeof rx, MSG_DONTWAIT);
      if (n <= 0) break;
      handle_reply(rx, static_cast<size_t>(n), plan, dst.sin_addr, sent, probe::now_ms(), st);
    }
    now = probe::now_ms();
    if (sent == count && (answered() == sent || now >= last_send + plan.straggler_ms)) break;
    double wake =
        sent < count ? t0 + interval * static_cast<double>(sent) : last_send + plan.straggler_ms;
    int wait = static_cast<int>(std::clamp(wake - now, 0.0, 1000.0));
    if (sent < count && burst == 32) wait = 0;
    pollfd pfd{raw.get(), POLLIN, 0};
    poll(&pfd, 1, wait);
  }

  r.sent = sent;
  r.received = answered();
  r.errors = st.rst + send_errors;
  r.timeouts = sent - answered();
  std::vector<double> rtts;
  rtts.reserve(answered());
  for (double v : st.rtt)
    if (v >= 0) rtts.push_back(v);
  finish_result(r, rtts);
  r.detail = std::to_string(st.synack) + " SYN-ACK, " + std::to_string(st.rst) + " RST from " +
             r.target + ", " + std::to_string(r.timeouts) + " unanswered";
  if (send_errors) r.detail += ", " + std::to_string(send_errors) + " refused locally";
  if (sent < count)
    r.detail += ", stopped at the time limit with " + std::to_string(count - sent) +
                " not sent (local send buffer full)";
  return r;
}

}  // namespace pktloss
