#pragma once
// Parsing an HTTP/1.1 response from a container runtime's API socket. The bytes are untrusted
// (any process can bind a socket at /run/docker.sock): every size is bounded, every number
// checked, and an answer that is not HTTP is an error with a one-line reason, never a crash.
#include <cstddef>
#include <string>
#include <string_view>

namespace pktloss::container {

struct HttpLimits {
  size_t max_header = 16 * 1024;      // status line + headers
  size_t max_body = 8 * 1024 * 1024;  // decoded body (a host with thousands of containers)
  double timeout_s = 3;               // the whole exchange, connect to last byte
};

struct HttpParse {
  enum class State { incomplete, complete, error } state = State::incomplete;
  int status = 0;
  std::string body;   // decoded (chunks joined) when complete
  std::string error;  // one line, when state == error
};

// Parses raw as a whole response read so far. eof: the peer closed, so a body without length
// ends here (and a truncated one is an error rather than incomplete).
HttpParse parse_http_response(std::string_view raw, bool eof, const HttpLimits& limits);

}  // namespace pktloss::container
