#pragma once
// Reading an HTTP/1.1 response from an untrusted peer: bounded header size, hard deadline.
#include <cstddef>
#include <string>

namespace pktloss {

struct HttpResponse {
  int status = 0;         // 100..599, 0 when no valid status line came
  bool complete = false;  // headers and the whole body (Content-Length, or until EOF)
  size_t body_bytes = 0;
  double first_byte_ms = -1;  // since t_start; < 0 when nothing came
};

// The bytes of a response as they arrive, without I/O (the socket loop below, the unit tests and
// the fuzz target share it). Only the status and the body length are kept, never the body.
class HttpResponseParser {
 public:
  static constexpr size_t kMaxHeader = 65536;  // a header this big is not an answer we trust

  // Takes the next bytes; returns true when no more are wanted: the response is complete, or
  // its header grew beyond kMaxHeader (then it stays incomplete).
  bool feed(const char* data, size_t n);
  // The peer closed: complete when the header came and no length was announced or it was met.
  void eof();
  bool done() const { return done_; }
  // status, complete and body_bytes (first_byte_ms is the caller's).
  const HttpResponse& response() const { return resp_; }

 private:
  HttpResponse resp_;
  std::string head_;
  size_t header_end_ = std::string::npos;
  long long content_length_ = -1;
  bool done_ = false;
};

// Reads from a non-blocking socket until the response is complete, EOF, an error, a header above
// 64 KiB, or the deadline (probe::now_ms() clock).
HttpResponse read_http_response(int fd, double t_start, double deadline);

}  // namespace pktloss
