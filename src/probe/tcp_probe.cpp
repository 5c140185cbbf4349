// TCP connect() and HTTP/1.1 GET probes (like curl): non-blocking sockets, poll, hard timeouts.
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "probe/http_response.h"
#include "probe/probe_stats.h"
#include "probe/probes.h"
#include "probe/socket_util.h"

namespace pktloss {
namespace {

using probe::Fd;
using probe::now_ms;

enum class ConnectOutcome { connected, refused, error, timeout };

struct Connection {
  Fd fd;
  ConnectOutcome outcome = ConnectOutcome::error;
  int err = 0;
  double connect_ms = 0;
};

Connection open_connection(const sockaddr_in& dst, double deadline) {
  Connection c;
  c.fd = Fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!c.fd.ok()) {
    c.err = errno;
    return c;
  }
  double t0 = now_ms();
  int rc = connect(c.fd.get(), reinterpret_cast<const sockaddr*>(&dst), sizeof dst);
  if (rc != 0 && errno != EINPROGRESS) {
    c.err = errno;
    c.outcome = errno == ECONNREFUSED ? ConnectOutcome::refused : ConnectOutcome::error;
    return c;
  }
  if (rc != 0) {
    pollfd pfd{c.fd.get(), POLLOUT, 0};
    int left = static_cast<int>(std::max(0.0, deadline - now_ms()));
    int pr;
    do pr = poll(&pfd, 1, left);
    while (pr < 0 && errno == EINTR &&
           (left = static_cast<int>(std::max(0.0, deadline - now_ms()))) > 0);
    if (pr <= 0) {
      c.outcome = ConnectOutcome::timeout;
      return c;
    }
    int soerr = 0;
    socklen_t len = sizeof soerr;
    getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &soerr, &len);
    if (soerr != 0) {
      c.err = soerr;
      c.outcome = soerr == ECONNREFUSED ? ConnectOutcome::refused : ConnectOutcome::error;
      return c;
    }
  }
  c.connect_ms = now_ms() - t0;
  c.outcome = ConnectOutcome::connected;
  return c;
}

// Stops a kind early when its time budget is spent: count * (interval + timeout) at most.
bool over_budget(double t0, const ProbePlan& plan, int per_probe_timeout) {
  double budget =
      static_cast<double>(plan.count) * static_cast<double>(plan.interval_ms + per_probe_timeout);
  return now_ms() - t0 > budget;
}

std::string fmt_ms(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

std::string summarize_errors(const std::map<int, int>& errs) {
  std::string s;
  for (auto [e, n] : errs) s += ", " + std::to_string(n) + "x " + probe::errno_text(e);
  return s;
}

}  // namespace

ProbeResult probe_connect(const ProbePlan& plan) {
  ProbeResult r;
  r.kind = "tcp-connect";
  r.target = plan.host + ":" + std::to_string(plan.port);
  r.source_netns = plan.source_netns;
  sockaddr_in dst = probe::make_addr(plan.host, plan.port);
  std::vector<double> rtts;
  std::map<int, int> errs;
  uint64_t refused = 0;
  const double t0 = now_ms();
  for (int i = 0;
       i < plan.count && !over_budget(t0, plan, plan.timeout_ms) && !should_give_up(plan, r); ++i) {
    double start = now_ms();
    Connection c = open_connection(dst, start + plan.timeout_ms);
    ++r.sent;
    switch (c.outcome) {
      case ConnectOutcome::connected:
        ++r.received;
        rtts.push_back(c.connect_ms);
        break;
      case ConnectOutcome::refused:  // a RST came back: the path works, nobody listens
        ++r.received;
        ++r.errors;
        ++refused;
        break;
      case ConnectOutcome::timeout:
        ++r.timeouts;
        break;
      case ConnectOutcome::error:
        ++r.errors;
        ++errs[c.err];
        break;
    }
    c.fd.reset();
    probe::sleep_until_ms(start + plan.interval_ms);
  }
  finish_result(r, rtts);
  r.detail = std::to_string(rtts.size()) + " connected, " + std::to_string(refused) + " refused, " +
             std::to_string(r.timeouts) + " timed out after " + std::to_string(plan.timeout_ms) +
             " ms" + summarize_errors(errs);
  if (should_give_up(plan, r)) r.detail += "; gave up: nothing answered";
  return r;
}

ProbeResult probe_http(const ProbePlan& plan) {
  ProbeResult r;
  r.kind = "http";
  r.target = plan.host + ":" + std::to_string(plan.port);
  r.source_netns = plan.source_netns;
  sockaddr_in dst = probe::make_addr(plan.host, plan.port);
  const std::string request = "GET " + plan.http_path + " HTTP/1.1\r\nHost: " + plan.host +
                              "\r\nUser-Agent: pktloss-probe\r\nAccept: */*\r\n"
                              "Connection: close\r\n\r\n";
  std::vector<double> totals, first_bytes, connects;
  std::map<int, int> status_count;
  std::map<int, int> errs;
  uint64_t connect_timeouts = 0, data_timeouts = 0, refused = 0;
  size_t body_bytes = 0;
  const double t0 = now_ms();
  for (int i = 0;
       i < plan.count && !over_budget(t0, plan, plan.http_timeout_ms) && !should_give_up(plan, r);
       ++i) {
    double start = now_ms();
    double deadline = start + plan.http_timeout_ms;
    ++r.sent;
    Connection c = open_connection(dst, std::min(deadline, start + plan.timeout_ms));
    if (c.outcome != ConnectOutcome::connected) {
      if (c.outcome == ConnectOutcome::timeout)
        ++connect_timeouts, ++r.timeouts;
      else if (c.outcome == ConnectOutcome::refused)
        ++refused, ++r.errors;
      else
        ++errs[c.err], ++r.errors;
      probe::sleep_until_ms(start + plan.interval_ms);
      continue;
    }
    connects.push_back(c.connect_ms);
    // The request is small; a full send buffer here means the path is already stuck.
    ssize_t w = send(c.fd.get(), request.data(), request.size(), MSG_NOSIGNAL);
    if (w != static_cast<ssize_t>(request.size())) {
      ++r.errors;
      ++errs[w < 0 ? errno : EMSGSIZE];
      continue;
    }
    HttpResponse resp = read_http_response(c.fd.get(), start, deadline);
    if (resp.status) ++status_count[resp.status];
    if (resp.status && resp.complete) {
      ++r.received;
      if (resp.status >= 500) ++r.errors;
      totals.push_back(now_ms() - start);
      first_bytes.push_back(resp.first_byte_ms);
      body_bytes = resp.body_bytes;
    } else {
      ++data_timeouts;
      ++r.timeouts;
    }
    c.fd.reset();
    probe::sleep_until_ms(start + plan.interval_ms);
  }
  finish_result(r, totals);
  std::string d = "GET " + plan.http_path + ":";
  for (auto [st, n] : status_count) d += " " + std::to_string(n) + "x HTTP " + std::to_string(st);
  if (status_count.empty()) d += " no status line";
  if (auto fb = rtt_stats(first_bytes)) d += ", first byte p50 " + fmt_ms(fb->p50_ms) + " ms";
  if (auto cs = rtt_stats(connects)) d += ", connect p50 " + fmt_ms(cs->p50_ms) + " ms";
  if (body_bytes) d += ", body " + std::to_string(body_bytes) + " bytes";
  d += "; " + std::to_string(connect_timeouts) + " connect timeouts, " +
       std::to_string(data_timeouts) + " connected but no complete response within " +
       std::to_string(plan.http_timeout_ms) + " ms";
  if (refused) d += ", " + std::to_string(refused) + " refused";
  d += summarize_errors(errs);
  if (should_give_up(plan, r)) d += "; gave up: nothing answered";
  r.detail = d;
  return r;
}

}  // namespace pktloss
