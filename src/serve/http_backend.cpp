// Plugin (pktloss-http.so): HttpServer on cpp-httplib; see serve/http_backend.h.
#include "serve/http_backend.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <list>
#include <mutex>
#include <stdexcept>

namespace pktloss {
namespace {

// util/clock's, here again: the plugin links no pktloss module (it would carry a second copy of
// each into the process).
double monotonic_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// How long a connection whose request has arrived unread is spared from eviction.
constexpr double kFreshRequestGraceS = 1.0;

// One connection being served, as the eviction policy sees it.
struct Conn {
  int fd = -1;
  double since = 0;      // start of the current wait for / read of a request
  bool writing = false;  // a complete request is being answered: never evicted
  bool reading = false;  // bytes of a request arrived and are being read
  bool evicted = false;
};

int poll_ms(double deadline) {
  double left = deadline - monotonic_seconds();
  if (left <= 0) return 0;
  return static_cast<int>(std::min(left * 1000 + 1, 60000.0));
}

void endpoint_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
                : getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  ip.clear();
  port = 0;
  if (rc != 0) return;
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    port = ntohs(a->sin6_port);
  }
  ip = buf;
}

// A socket stream whose reads stop at a deadline for the whole request and after a byte
// budget, and whose writes stop at a deadline for the whole response. httplib's own stream
// bounds each read separately, which a client sending one byte at a time defeats.
class BoundedStream : public httplib::Stream {
 public:
  BoundedStream(int fd, const HttpLimits& lim) : fd_(fd), lim_(lim) {}

  void begin_request() {
    read_deadline_ = monotonic_seconds() + lim_.request_timeout_s;
    write_deadline_ = 0;
    budget_ = lim_.max_request_bytes;
    timed_out_ = false;
  }
  bool timed_out() const { return timed_out_; }

  bool is_readable() const override {
    if (pos_ < len_) return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, poll_ms(read_deadline_)) > 0;
  }
  bool is_writable() const override {
    pollfd p{fd_, POLLOUT, 0};
    return ::poll(&p, 1,
                  poll_ms(write_deadline_ ? write_deadline_
                                          : monotonic_seconds() + lim_.write_timeout_s)) > 0;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (pos_ == len_) {
      if (budget_ == 0) return -1;  // request too large: httplib answers 400 and closes
      pollfd p{fd_, POLLIN, 0};
      int rc = ::poll(&p, 1, poll_ms(read_deadline_));
      if (rc <= 0) {
        timed_out_ = rc == 0;
        return -1;
      }
      ssize_t n = ::recv(fd_, buf_, std::min(sizeof buf_, budget_), 0);
      if (n <= 0) return n;
      budget_ -= static_cast<size_t>(n);
      pos_ = 0;
      len_ = static_cast<size_t>(n);
    }
    size_t n = std::min(size, len_ - pos_);
    std::copy(buf_ + pos_, buf_ + pos_ + n, ptr);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!write_deadline_) write_deadline_ = monotonic_seconds() + lim_.write_timeout_s;
    size_t done = 0;
    while (done < size) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, poll_ms(write_deadline_)) <= 0) return -1;
      ssize_t n = ::send(fd_, ptr + done, size - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return -1;
      done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(done);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    endpoint_of(fd_, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    endpoint_of(fd_, false, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  int fd_;
  const HttpLimits& lim_;
  double read_deadline_ = 0;
  double write_deadline_ = 0;
  size_t budget_ = 0;
  bool timed_out_ = false;
  char buf_[4096];
  size_t pos_ = 0, len_ = 0;
};

// A fixed pool with more threads than connections served at once: a connection over the limit
// still gets a thread, long enough to evict a slow one (or be closed), so the queue never
// waits behind slow clients.
class FixedPool : public httplib::TaskQueue {
 public:
  explicit FixedPool(size_t n) {
    for (size_t i = 0; i < n; ++i) threads_.emplace_back([this] { work(); });
  }
  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lk(mu_);
      jobs_.push_back(std::move(fn));
    }
    cv_.notify_one();
  }
  void shutdown() override {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return stop_ || !jobs_.empty(); });
        if (stop_ && jobs_.empty()) return;
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      fn();
    }
  }
  std::vector<std::thread> threads_;
  std::deque<std::function<void()>> jobs_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(const HttpLimits& lim) : lim_(lim) {
    new_task_queue = [this] { return new FixedPool(lim_.max_connections + 8); };
    set_payload_max_length(lim_.max_request_bytes);
  }
  int listening_fd() const { return svr_sock_; }

  std::atomic<uint64_t> rejected{0}, evicted{0}, timeouts{0};

 private:
  bool admit(Conn& c) {
    std::lock_guard<std::mutex> lk(mu_);
    // Connections already told to go hold a thread for microseconds more; they do not count.
    // The victim is the longest-waiting connection that is not answering; one whose request
    // already sits unread in the socket (a real scraper sends it at once) is spared while it
    // is young, so a flood of reconnecting attackers cannot evict it before its thread reads
    // it. Only when every candidate is such a one does the oldest go.
    const double now = monotonic_seconds();
    size_t live = 0;
    Conn *victim = nullptr, *oldest = nullptr;
    for (Conn* o : conns_) {
      if (o->evicted) continue;
      ++live;
      if (o->writing) continue;
      if (!oldest || o->since < oldest->since) oldest = o;
      int pending = 0;
      bool fresh_request = now - o->since < kFreshRequestGraceS &&
                           (o->reading || (::ioctl(o->fd, FIONREAD, &pending) == 0 && pending > 0));
      if (!fresh_request && (!victim || o->since < victim->since)) victim = o;
    }
    if (!victim) victim = oldest;
    if (live >= lim_.max_connections) {
      if (!victim) {
        ++rejected;
        return false;
      }
      // The owner thread still holds the fd open (it deregisters before closing), so this
      // cannot hit a reused descriptor; its next poll/recv returns at once.
      victim->evicted = true;
      ::shutdown(victim->fd, SHUT_RDWR);
      ++evicted;
    }
    conns_.push_back(&c);
    return true;
  }
  void leave(Conn& c) {
    std::lock_guard<std::mutex> lk(mu_);
    conns_.remove(&c);
  }
  void set_phase(Conn& c, bool writing, bool reading = false) {
    std::lock_guard<std::mutex> lk(mu_);
    c.writing = writing;
    c.reading = reading;
    if (!writing) c.since = monotonic_seconds();
  }

  bool process_and_close_socket(socket_t sock) override {
    Conn c;
    c.fd = sock;
    c.since = monotonic_seconds();
    bool ret = false;
    if (admit(c)) {
      BoundedStream strm(sock, lim_);
      for (size_t n = 0; n < lim_.keep_alive_max && svr_sock_ != INVALID_SOCKET; ++n) {
        // Wait for the next request: the first one within the request timeout, later ones
        // within the keep-alive timeout.
        double wait = n == 0 ? lim_.request_timeout_s : lim_.keep_alive_timeout_s;
        pollfd p{sock, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(wait * 1000)) <= 0) break;
        {
          std::lock_guard<std::mutex> lk(mu_);
          if (c.evicted) break;
        }
        set_phase(c, false, true);  // the request's first bytes are here
        strm.begin_request();
        bool closed = false;
        ret = process_request(strm, n + 1 == lim_.keep_alive_max, closed,
                              [this, &c](httplib::Request&) { set_phase(c, true); });
        if (strm.timed_out()) ++timeouts;
        set_phase(c, false);
        if (!ret || closed) break;
        std::lock_guard<std::mutex> lk(mu_);
        if (c.evicted) break;
      }
      leave(c);
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return ret;
  }

  const HttpLimits& lim_;
  std::mutex mu_;
  std::list<Conn*> conns_;
};

class HttplibBackend : public HttpBackend {
 public:
  HttplibBackend(HttpLimits l, HttpHandler h) : limits_(l), handler_(std::move(h)) {
    auto route = [this](const httplib::Request& req, httplib::Response& res) {
      double t0 = monotonic_seconds();
      HttpReply r = handler_(req.path, req.get_header_value("Accept"));
      ++requests_;
      res.status = r.status;
      res.set_content(std::move(r.body), r.content_type.c_str());
      last_render_ns_ = static_cast<uint64_t>((monotonic_seconds() - t0) * 1e9);
    };
    server_.Get("/metrics", route);
    server_.Get("/", route);
    server_.Get("/-/healthy", route);
    server_.Get("/-/ready", route);
  }
  ~HttplibBackend() override { stop(); }

  int bind(const std::string& host, int port) override {
    int bound = port;
    if (port == 0) {
      bound = server_.bind_to_any_port(host);
      if (bound <= 0) throw std::runtime_error("cannot listen on " + host + ": any port");
    } else if (!server_.bind_to_port(host, port)) {
      throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) +
                               " (address in use, or not an address of this host)");
    }
    // httplib listens with a backlog of 5; a burst of scrapers would see dropped SYNs. listen()
    // again on the bound socket only raises the backlog.
    ::listen(server_.listening_fd(), 128);
    return bound;
  }

  void start() override {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }

  void stop() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  HttpSelfStats stats() const override {
    HttpSelfStats s;
    s.requests = requests_;
    s.connections_rejected = server_.rejected;
    s.connections_evicted = server_.evicted;
    s.requests_timed_out = server_.timeouts;
    s.last_scrape_render_s = last_render_ns_ / 1e9;
    return s;
  }

 private:
  HttpLimits limits_;
  HttpHandler handler_;
  GuardedServer server_{limits_};
  std::thread thread_;
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> last_render_ns_{0};
};

}  // namespace
}  // namespace pktloss

extern "C" __attribute__((visibility("default"))) pktloss::HttpBackend* pktloss_http_backend_new(
    const pktloss::HttpLimits& limits, pktloss::HttpHandler handler) {
  return new pktloss::HttplibBackend(limits, std::move(handler));
}
