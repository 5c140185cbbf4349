#pragma once
// The HTTP side of `pktloss serve` on cpp-httplib (parsing, routing, responses), with the
// connection handling pktloss needs in front of it: a hostile or slow client must never block a
// real scrape or grow memory. Every request is bounded in bytes and in total time (not per
// read: a slowloris trickling one byte per second never gets past the deadline), the number of
// connections served at once is capped, and when the cap is reached the connection that has
// waited longest without a complete request is closed to make room.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "render/metrics_renderer.h"

namespace pktloss {

struct HttpLimits {
  // Served at once (the thread pool has a few more threads): above what a node sees from its
  // scrapers plus the 100 hostile connections the tests throw at it, so those never force an
  // eviction; beyond it the longest-waiting slow client is evicted.
  size_t max_connections = 128;
  double request_timeout_s = 5;      // request line + headers must arrive within this
  double keep_alive_timeout_s = 5;   // idle time allowed between two requests
  size_t keep_alive_max = 100;       // requests per connection
  size_t max_request_bytes = 16384;  // request line + headers (+ a body we do not want)
  double write_timeout_s = 10;       // a whole response
};

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// path ("/metrics"), Accept header -> reply. Called on the server's worker threads.
using HttpHandler = std::function<HttpReply(const std::string& path, const std::string& accept)>;

class HttpServer {
 public:
  HttpServer(HttpLimits limits, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0: any free port) and returns the bound port. Throws
  // std::runtime_error with a one-line message.
  int bind(const std::string& host, int port);
  // Serves on a background thread until stop().
  void start();
  void stop();

  HttpSelfStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "127.0.0.1:9469", "[::1]:9469", "localhost:9469", ":9469" (loopback) -> host, port.
// Throws std::invalid_argument with a one-line message.
void parse_listen_address(const std::string& spec, std::string& host, int& port);
bool is_loopback_host(const std::string& host);

}  // namespace pktloss
