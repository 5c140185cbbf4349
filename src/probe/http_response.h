#pragma once
// Reading an HTTP/1.1 response from an untrusted peer: bounded header size, hard deadline.
#include <cstddef>

namespace pktloss {

struct HttpResponse {
  int status = 0;         // 100..599, 0 when no valid status line came
  bool complete = false;  // headers and the whole body (Content-Length, or until EOF)
  size_t body_bytes = 0;
  double first_byte_ms = -1;  // since t_start; < 0 when nothing came
};

// Reads from a non-blocking socket until the response is complete, EOF, an error, a header above
// 64 KiB, or the deadline (probe::now_ms() clock).
HttpResponse read_http_response(int fd, double t_start, double deadline);

}  // namespace pktloss
