// HttpServer's facade: the cpp-httplib implementation is a plugin (serve/http_backend.h) loaded
// here, on the first HttpServer, so that only `serve` maps cpp-httplib and OpenSSL.
#include "serve/http_server.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "serve/http_backend.h"

#ifndef PKTLOSS_PLUGIN_DIR
#define PKTLOSS_PLUGIN_DIR "/usr/local/lib/pktloss"
#endif

namespace pktloss {
namespace {

// Where the plugin may be, in order: $PKTLOSS_PLUGIN_DIR, next to the running binary (the build
// tree: pktloss and the test binaries sit beside it), the install directory.
std::vector<std::string> plugin_candidates() {
  std::vector<std::string> out;
  if (const char* d = std::getenv("PKTLOSS_PLUGIN_DIR"); d && *d)
    out.push_back(std::string(d) + "/" + kHttpPluginFile);
  char exe[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string dir(exe, static_cast<size_t>(n));
    dir.erase(dir.rfind('/') + 1);
    out.push_back(dir + kHttpPluginFile);
  }
  out.push_back(std::string(PKTLOSS_PLUGIN_DIR) + "/" + kHttpPluginFile);
  return out;
}

// Loaded once and never unloaded (a server thread may outlive nothing, but its code must).
HttpBackendFactory load_factory() {
  static std::once_flag once;
  static HttpBackendFactory factory = nullptr;
  static std::string error;
  std::call_once(once, [] {
    std::string tried;
    for (const auto& path : plugin_candidates()) {
      // AT_EACCESS: check as the process opens (effective ids and capabilities). Plain access()
      // uses the real uid without capabilities, so a service run as a non-root user with
      // CAP_DAC_READ_SEARCH would be told "no plugin" for a file dlopen() can read.
      if (::faccessat(AT_FDCWD, path.c_str(), R_OK, AT_EACCESS) != 0) {
        tried += (tried.empty() ? "" : ", ") + path;
        continue;
      }
      void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!h) {
        const char* e = ::dlerror();
        error = "cannot load the HTTP server (" + path + "): " + (e ? e : "unknown error");
        return;
      }
      factory = reinterpret_cast<HttpBackendFactory>(::dlsym(h, kHttpBackendSymbol));
      if (!factory)
        error = "cannot load the HTTP server: " + path + " has no " + kHttpBackendSymbol;
      return;
    }
    error = std::string("cannot load the HTTP server: no ") + kHttpPluginFile + " (looked at " +
            tried + ")";
  });
  if (!factory) throw std::runtime_error(error);
  return factory;
}

}  // namespace

struct HttpServer::Impl {
  std::unique_ptr<HttpBackend> backend;
};

HttpServer::HttpServer(HttpLimits limits, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->backend.reset(load_factory()(limits, std::move(handler)));
}

HttpServer::~HttpServer() {
  stop();
}

int HttpServer::bind(const std::string& host, int port) {
  return impl_->backend->bind(host, port);
}

void HttpServer::start() {
  impl_->backend->start();
}

void HttpServer::stop() {
  if (impl_ && impl_->backend) impl_->backend->stop();
}

HttpSelfStats HttpServer::stats() const {
  return impl_->backend->stats();
}

void parse_listen_address(const std::string& spec, std::string& host, int& port) {
  auto colon = spec.rfind(':');
  if (colon == std::string::npos)
    throw std::invalid_argument("--listen " + spec + ": expected HOST:PORT");
  host = spec.substr(0, colon);
  std::string p = spec.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(p) > 65535)
    throw std::invalid_argument("--listen " + spec + ": port must be 0-65535");
  port = std::stoi(p);
  in6_addr a6{};
  in_addr a4{};
  if (host != "localhost" && inet_pton(AF_INET, host.c_str(), &a4) != 1 &&
      inet_pton(AF_INET6, host.c_str(), &a6) != 1)
    throw std::invalid_argument("--listen " + spec + ": host must be an IP address or localhost");
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  in_addr a4{};
  if (inet_pton(AF_INET, host.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  in6_addr a6{};
  if (inet_pton(AF_INET6, host.c_str(), &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
  return false;
}

}  // namespace pktloss
