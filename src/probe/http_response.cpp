#include "probe/http_response.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "probe/socket_util.h"

namespace pktloss {

using probe::now_ms;

namespace {

// Content-Length's value; -1 (no usable length: read until EOF) for a negative, missing or
// out-of-range number. strtoll, not atoll: atoll's behaviour on overflow is undefined.
long long content_length_value(const char* s) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s, &end, 10);
  if (end == s || errno == ERANGE || v < 0) return -1;
  return v;
}

}  // namespace

bool HttpResponseParser::feed(const char* data, size_t n) {
  if (done_ || n == 0) return done_;
  if (header_end_ == std::string::npos) {
    head_.append(data, n);
    if (head_.size() > kMaxHeader) return done_ = true;
    header_end_ = head_.find("\r\n\r\n");
    if (header_end_ == std::string::npos) return false;
    if (head_.compare(0, 5, "HTTP/") == 0) {
      auto sp = head_.find(' ');
      if (sp != std::string::npos && sp + 4 <= head_.size()) {
        int st = 0;
        for (size_t i = sp + 1; i < sp + 4; ++i)
          st = isdigit(static_cast<unsigned char>(head_[i])) ? st * 10 + (head_[i] - '0') : -1000;
        if (st >= 100 && st <= 599) resp_.status = st;
      }
    }
    std::string lower = head_.substr(0, header_end_);
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    auto cl = lower.find("\r\ncontent-length:");
    if (cl != std::string::npos) content_length_ = content_length_value(lower.c_str() + cl + 17);
    resp_.body_bytes = head_.size() - (header_end_ + 4);
    head_.resize(header_end_ + 4);  // the body is counted, never kept
  } else {
    resp_.body_bytes += n;
  }
  if (resp_.status && content_length_ >= 0 &&
      resp_.body_bytes >= static_cast<unsigned long long>(content_length_)) {
    resp_.complete = true;
    done_ = true;
  }
  return done_;
}

void HttpResponseParser::eof() {
  if (done_) return;
  resp_.complete =
      header_end_ != std::string::npos &&
      (content_length_ < 0 || resp_.body_bytes >= static_cast<unsigned long long>(content_length_));
  done_ = true;
}

HttpResponse read_http_response(int fd, double t_start, double deadline) {
  HttpResponseParser parser;
  double first_byte_ms = -1;
  auto result = [&] {
    HttpResponse r = parser.response();
    r.first_byte_ms = first_byte_ms;
    return r;
  };
  char buf[16384];
  for (;;) {
    int left = static_cast<int>(deadline - now_ms());
    if (left <= 0) return result();
    pollfd pfd{fd, POLLIN, 0};
    int pr = poll(&pfd, 1, left);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) return result();
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return result();
    if (n == 0) {
      parser.eof();
      return result();
    }
    if (first_byte_ms < 0) first_byte_ms = now_ms() - t_start;
    if (parser.feed(buf, static_cast<size_t>(n))) return result();
  }
}

}  // namespace pktloss
