#pragma once
// The cpp-httplib side of HttpServer, built as a plugin (pktloss-http.so) that only `serve` loads:
// cpp-httplib pulls in OpenSSL, brotli and zlib, whose loading, relocation and initialisers every
// other command paid at start-up (bench/startup.sh). C++ across the boundary is fine: the plugin
// is built from the same tree, with the same compiler and libstdc++, as the program loading it.
#include <string>

#include "serve/http_server.h"

namespace pktloss {

class HttpBackend {
 public:
  virtual ~HttpBackend() = default;
  virtual int bind(const std::string& host, int port) = 0;  // see HttpServer::bind
  virtual void start() = 0;
  virtual void stop() = 0;
  virtual HttpSelfStats stats() const = 0;
};

// The plugin's one exported function (extern "C": found by dlsym under this name).
using HttpBackendFactory = HttpBackend* (*)(const HttpLimits& limits, HttpHandler handler);
inline constexpr const char* kHttpBackendSymbol = "pktloss_http_backend_new";
inline constexpr const char* kHttpPluginFile = "pktloss-http.so";

}  // namespace pktloss
