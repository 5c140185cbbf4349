#include "container/unix_http.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pktloss::container {
namespace {

double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

HttpGetResult failed(std::string why) {
  HttpGetResult r;
  r.error = std::move(why);
  return r;
}

// Waits for `events` until the deadline; false on timeout or error (errno says which).
bool wait_for(int fd, short events, double deadline) {
  for (;;) {
    double left = deadline - now_s();
    if (left <= 0) {
      errno = ETIMEDOUT;
      return false;
    }
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(left * 1000) + 1);
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

}  // namespace

HttpGetResult http_get_unix(const std::string& socket_path, const std::string& target,
                            const HttpLimits& limits) {
  const double deadline = now_s() + limits.timeout_s;
  sockaddr_un addr{};
  if (socket_path.empty() || socket_path.size() >= sizeof addr.sun_path)
    return failed("socket path '" + socket_path + "' is empty or too long");
  struct stat st {};
  if (stat(socket_path.c_str(), &st) != 0) {
    HttpGetResult r;
    r.outcome = HttpGetResult::Outcome::no_socket;
    r.error = std::string("no socket: ") + std::strerror(errno);
    return r;
  }
  if (!S_ISSOCK(st.st_mode)) return failed("not a socket");
  Fd s{socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (s.fd < 0) return failed(std::string("socket: ") + std::strerror(errno));
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size());
  if (connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN)
      return failed(std::string("connect: ") + std::strerror(errno));
    if (!wait_for(s.fd, POLLOUT, deadline))
      return failed(std::string("connect: ") + std::strerror(errno));
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) return failed(std::string("connect: ") + std::strerror(err));
  }
  const std::string req = "GET " + target +
                          " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: pktloss\r\n"
                          "Accept: application/json\r\nConnection: close\r\n\r\n";
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = send(s.fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN && wait_for(s.fd, POLLOUT, deadline)) continue;
    return failed(std::string("send: ") + std::strerror(errno));
  }
  // Raw bytes are capped a little above the decoded limits (chunk framing is small).
  const size_t cap = limits.max_header + limits.max_body + limits.max_body / 8 + 4096;
  std::string raw;
  char buf[65536];
  bool eof = false;
  size_t next_parse = 0;
  for (;;) {
    // Re-parsing from the start is linear in what came so far; doing it when the size doubles
    // (or at EOF: we ask for Connection: close) keeps a big answer linear overall.
    HttpParse p;
    if (eof || raw.size() >= next_parse) {
      p = parse_http_response(raw, eof, limits);
      next_parse = std::max<size_t>(raw.size() * 2, 4096);
    }
    if (p.state == HttpParse::State::complete) {
      HttpGetResult r;
      r.outcome = HttpGetResult::Outcome::ok;
      r.status = p.status;
      r.body = std::move(p.body);
      return r;
    }
    if (p.state == HttpParse::State::error) return failed(p.error);
    if (raw.size() > cap) return failed("response above " + std::to_string(cap) + " bytes");
    if (!wait_for(s.fd, POLLIN, deadline)) {
      if (errno == ETIMEDOUT)
        return failed("no complete answer within " + std::to_string(int(limits.timeout_s)) + " s");
      return failed(std::string("poll: ") + std::strerror(errno));
    }
    ssize_t n = recv(s.fd, buf, sizeof buf, 0);
    if (n > 0)
      raw.append(buf, static_cast<size_t>(n));
    else if (n == 0)
      eof = true;
    else if (errno != EINTR && errno != EAGAIN)
      return failed(std::string("recv: ") + std::strerror(errno));
  }
}

}  // namespace pktloss::container
