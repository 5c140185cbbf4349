// libFuzzer target: the probe's HTTP response reader on whatever a peer sends. Byte 0 gives the
// size of the reads the bytes arrive in (1..256: a response split anywhere), then EOF.
// Invariants: complete only with a header, and never more body than was sent.
#include <algorithm>
#include <string>

#include "fuzz/fuzz_entry.h"
#include "probe/http_response.h"

using namespace pktloss;

PKTLOSS_FUZZ_TARGET(fuzz_http_response) {
  if (size < 1) return 0;
  size_t chunk = size_t{data[0]} + 1;
  const char* p = reinterpret_cast<const char*>(data + 1);
  size_t n = size - 1;
  HttpResponseParser parser;
  size_t off = 0;
  while (off < n && !parser.done()) {
    size_t k = std::min(chunk, n - off);
    parser.feed(p + off, k);
    off += k;
  }
  parser.eof();
  const HttpResponse& r = parser.response();
  if (r.body_bytes > n) __builtin_trap();
  if (r.status != 0 && (r.status < 100 || r.status > 599)) __builtin_trap();
  if (r.complete && std::string(p, n).find("\r\n\r\n") == std::string::npos) __builtin_trap();
  return 0;
}
