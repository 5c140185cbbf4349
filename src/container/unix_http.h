#pragma once
// GET over a UNIX stream socket (the Docker and Podman API), bounded and timeout-guarded: a
// runtime that hangs, floods or talks garbage costs at most HttpLimits::timeout_s and a note.
#include <string>

#include "container/http_parse.h"

namespace pktloss::container {

struct HttpGetResult {
  enum class Outcome { ok, no_socket, error } outcome = Outcome::error;
  int status = 0;
  std::string body;
  std::string error;  // one line: "connect: Connection refused", "timed out after 3 s", ...
};

// outcome no_socket: nothing at socket_path (the runtime is not installed / not running here),
// which callers treat as "not a candidate" rather than a failure.
HttpGetResult http_get_unix(const std::string& socket_path, const std::string& target,
                            const HttpLimits& limits = {});

}  // namespace pktloss::container
