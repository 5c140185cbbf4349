// The runtime API client reads untrusted bytes (anything can bind /run/docker.sock): hostile
// responses end in a one-line error within the limits, never a crash, a hang or a huge buffer.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "container/http_parse.h"
#include "container/unix_http.h"

namespace pktloss::container {
namespace {

using State = HttpParse::State;

HttpParse parse(const std::string& raw, bool eof = true, HttpLimits l = {}) {
  return parse_http_response(raw, eof, l);
}

TEST(ContainerHttp, ContentLengthBody) {
  auto p =
      parse("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]");
  ASSERT_EQ(p.state, State::complete) << p.error;
  EXPECT_EQ(p.status, 200);
  EXPECT_EQ(p.body, "[]");
  // Complete as soon as the length is there, without waiting for EOF.
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]", false).state, State::complete);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n[]", false).state,
            State::incomplete);
}

TEST(ContainerHttp, ChunkedBodyIsJoined) {
  const std::string raw =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\n[{\"\r\na;ext=1\r\nId\": \"x\"}]\r\n0\r\nX-Trailer: 1\r\n\r\n";
  auto p = parse(raw);
  ASSERT_EQ(p.state, State::complete) << p.error;
  EXPECT_EQ(p.body, "[{\"Id\": \"x\"}]");
  EXPECT_EQ(parse(raw.substr(0, raw.size() - 10), false).state, State::incomplete);
  EXPECT_EQ(parse(raw.substr(0, raw.size() - 10), true).state, State::error);
}

TEST(ContainerHttp, BodyUntilEofAndNoBodyStatuses) {
  auto p = parse("HTTP/1.0 200 OK\r\n\r\n{\"a\":1}");
  ASSERT_EQ(p.state, State::complete);
  EXPECT_EQ(p.body, "{\"a\":1}");
  EXPECT_EQ(parse("HTTP/1.0 200 OK\r\n\r\n{", false).state, State::incomplete);
  auto nc = parse("HTTP/1.1 204 No Content\r\n\r\n", false);
  EXPECT_EQ(nc.state, State::complete);
  EXPECT_EQ(nc.status, 204);
}

TEST(ContainerHttp, NonOkStatusIsReported) {
  auto p =
      parse("HTTP/1.1 404 Not Found\r\nContent-Length: 27\r\n\r\n{\"message\":\"No such thing\"}");
  ASSERT_EQ(p.state, State::complete);
  EXPECT_EQ(p.status, 404);
}

TEST(ContainerHttp, HostileResponsesAreErrors) {
  const char* hostile[] = {
      "",                                               // nothing
      "SSH-2.0-OpenSSH_9.2\r\n",                        // not HTTP
      "HTTP/1.1 2000 OK\r\n\r\n",                       // bad status
      "HTTP/1.1 099 Low\r\n\r\n",                       // bad status
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",  // negative length
      "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n[]",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",  // truncated at EOF
  };
  for (const char* raw : hostile) {
    auto p = parse(raw);
    EXPECT_EQ(p.state, State::error) << raw;
    EXPECT_FALSE(p.error.empty());
    EXPECT_EQ(p.error.find('\n'), std::string::npos);
  }
}

TEST(ContainerHttp, SizesAreBounded) {
  HttpLimits l;
  l.max_body = 1000;
  l.max_header = 100;
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 1001\r\n\r\n", false, l).state, State::error);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nX: " + std::string(200, 'a'), false, l).state, State::error);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\n\r\n" + std::string(1001, 'a'), false, l).state,
            State::error);
  std::string chunks = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunks += "64\r\n" + std::string(100, 'x') + "\r\n";
  EXPECT_EQ(parse(chunks, false, l).state, State::error);
}

// A server on a UNIX socket that answers every connection with `answer` (after `delay`).
class FakeServer {
 public:
  FakeServer(std::string answer, std::chrono::milliseconds delay = {})
      : answer_(std::move(answer)), delay_(delay) {
    path_ = "/tmp/pktloss-ut-http-" + std::to_string(getpid()) + "-" + std::to_string(counter_++) +
            ".sock";
    unlink(path_.c_str());
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(fd_, 8), 0);
    thread_ = std::thread([this] {
      for (;;) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        char buf[4096];
        (void)!recv(c, buf, sizeof buf, 0);
        std::this_thread::sleep_for(delay_);
        for (size_t off = 0; off < answer_.size() && !stop_;) {
          ssize_t n = send(c, answer_.data() + off, answer_.size() - off, MSG_NOSIGNAL);
          if (n <= 0) break;
          off += static_cast<size_t>(n);
        }
        close(c);
      }
    });
  }
  ~FakeServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
    unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string answer_;
  std::chrono::milliseconds delay_;
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(ContainerHttp, GetOverUnixSocket) {
  FakeServer s("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n");
  auto r = http_get_unix(s.path(), "/containers/json?all=1");
  ASSERT_EQ(r.outcome, HttpGetResult::Outcome::ok) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "[]");
}

TEST(ContainerHttp, MissingSocketIsNotAnError) {
  auto r = http_get_unix("/tmp/pktloss-ut-no-such.sock", "/");
  EXPECT_EQ(r.outcome, HttpGetResult::Outcome::no_socket);
}

TEST(ContainerHttp, RefusedSocketIsAnError) {
  // A socket file nobody listens on (a daemon that died): connect is refused.
  std::string path = "/tmp/pktloss-ut-dead-" + std::to_string(getpid()) + ".sock";
  unlink(path.c_str());
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  close(fd);
  auto r = http_get_unix(path, "/");
  unlink(path.c_str());
  EXPECT_EQ(r.outcome, HttpGetResult::Outcome::error);
  EXPECT_NE(r.error.find("refused"), std::string::npos) << r.error;
}

TEST(ContainerHttp, SilentServerTimesOut) {
  FakeServer s("HTTP/1.1 200 OK\r\n\r\n[]", std::chrono::milliseconds(1500));
  HttpLimits l;
  l.timeout_s = 0.3;
  auto t0 = std::chrono::steady_clock::now();
  auto r = http_get_unix(s.path(), "/", l);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.outcome, HttpGetResult::Outcome::error);
  EXPECT_LT(took, std::chrono::milliseconds(1200));
}

TEST(ContainerHttp, FloodIsCut) {
  FakeServer s("HTTP/1.1 200 OK\r\n\r\n" + std::string(3 << 20, '['));
  HttpLimits l;
  l.max_body = 1 << 20;
  auto r = http_get_unix(s.path(), "/", l);
  EXPECT_EQ(r.outcome, HttpGetResult::Outcome::error);
  EXPECT_LT(r.body.size(), 1u << 20);
}

TEST(ContainerHttp, GarbageIsCutEarly) {
  FakeServer s(std::string(100000, '\x01'), std::chrono::milliseconds(0));
  auto r = http_get_unix(s.path(), "/");
  EXPECT_EQ(r.outcome, HttpGetResult::Outcome::error);
  EXPECT_NE(r.error.find("not an HTTP"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace pktloss::container
