// The HTTP response reader takes bytes from an untrusted peer: status lines, lengths, EOF,
// garbage and oversized headers, fed through a socketpair.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "probe/http_response.h"
#include "probe/socket_util.h"

using namespace pktloss;

namespace {

// Writes `data` (then closes the writer when eof) and reads it back with a short deadline.
HttpResponse feed(const std::string& data, bool eof = true) {
  int sv[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  int big = 1 << 20;
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = write(sv[0], data.data() + off, data.size() - off);
    if (w <= 0) break;
    off += static_cast<size_t>(w);
  }
  if (eof) close(sv[0]);
  double now = probe::now_ms();
  HttpResponse r = read_http_response(sv[1], now, now + 200);
  if (!eof) close(sv[0]);
  close(sv[1]);
  return r;
}

}  // namespace

TEST(ProbeHttp, CompleteResponseWithContentLength) {
  auto r = feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello", false);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete);  // complete without waiting for EOF
  EXPECT_EQ(r.body_bytes, 5u);
  EXPECT_GE(r.first_byte_ms, 0);
}

TEST(ProbeHttp, BodyUntilEofWithoutLength) {
  auto r = feed("HTTP/1.0 404 Not Found\r\nconnection: close\r\n\r\nnope");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.body_bytes, 4u);
}

TEST(ProbeHttp, TruncatedBodyIsIncomplete) {
  auto r = feed("HTTP/1.1 200 OK\r\nContent-Length: 30720\r\n\r\nxxxxxxxxxx");
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.complete);
}

TEST(ProbeHttp, GarbageGivesNoStatus) {
  for (const char* g : {"XYZ\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 999 Big\r\n\r\n",
                        "HTTP/1.1\r\n\r\n", "HTTP/", "", "\r\n\r\n"}) {
    auto r = feed(g);
    EXPECT_EQ(r.status, 0) << g;
  }
  auto neg = feed("HTTP/1.1 200 OK\r\nContent-Length: -7\r\n\r\nab");
  EXPECT_EQ(neg.status, 200);  // a negative length is ignored: body runs to EOF
  EXPECT_TRUE(neg.complete);
}

TEST(ProbeHttp, OversizedHeaderIsRejected) {
  auto r = feed("HTTP/1.1 200 OK\r\nX: " + std::string(70000, 'a'));
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.complete);
}

TEST(ProbeHttp, SilenceEndsAtTheDeadline) {
  auto r = feed("", false);
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.complete);
  EXPECT_LT(r.first_byte_ms, 0);
}
