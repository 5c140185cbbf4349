#include "serve_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace pktloss::testing {
namespace {
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Process::Process(const std::vector<std::string>& argv, const std::string& out_path,
                 const std::string& err_path) {
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int n = open("/dev/null", O_RDONLY);
    dup2(n, 0);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  if (pid_ > 0) setpgid(pid_, pid_);
}

bool Process::running() {
  if (pid_ <= 0 || reaped_) return false;
  int st = 0;
  if (waitpid(pid_, &st, WNOHANG) == pid_) {
    reaped_ = true;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return false;
  }
  return true;
}

int Process::stop(double timeout_s) {
  if (pid_ <= 0) return -1;
  if (!reaped_) {
    kill(-pid_, SIGTERM);
    double end = now_s() + timeout_s;
    while (running() && now_s() < end) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!reaped_) {
      kill(-pid_, SIGKILL);
      int st = 0;
      waitpid(pid_, &st, 0);
      reaped_ = true;
      status_ = -1;
    }
  }
  kill(-pid_, SIGKILL);  // anything the child left in its group
  return status_;
}

Process::~Process() {
  stop();
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/pktloss-serve-XXXXXX";
  char* p = mkdtemp(tmpl);
  path_ = p ? p : "/tmp/pktloss-serve-failed";
}

TempDir::~TempDir() {
  if (path_.rfind("/tmp/pktloss-serve-", 0) == 0) {
    std::string cmd = "rm -rf '" + path_ + "'";
    if (std::system(cmd.c_str()) != 0) {
    }
  }
}

HttpResult http_get(int port, const std::string& path, const std::string& extra_headers,
                    double timeout_s) {
  HttpResult r;
  double t0 = now_s(), end = t0 + timeout_s;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                    extra_headers + "\r\n";
  size_t sent = 0;
  std::string resp;
  while (now_s() < end) {
    pollfd p{fd, static_cast<short>(sent < req.size() ? POLLOUT : POLLIN), 0};
    if (poll(&p, 1, 100) <= 0) continue;
    if (sent < req.size()) {
      ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
      continue;
    }
    char buf[65536];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  r.seconds = now_s() - t0;
  auto hdr_end = resp.find("\r\n\r\n");
  if (resp.rfind("HTTP/1.", 0) == 0 && hdr_end != std::string::npos) {
    r.status = std::atoi(resp.c_str() + 9);
    r.headers = resp.substr(0, hdr_end);
    r.body = resp.substr(hdr_end + 4);
    // node_exporter answers with chunked transfer encoding: undo it, or a line that straddles a
    // chunk boundary ("...\r\n800\r\n...") is not found by a test that looks for it.
    std::string h = r.headers;
    for (auto& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (h.find("transfer-encoding: chunked") != std::string::npos) {
      std::string body;
      size_t pos = 0;
      while (pos < r.body.size()) {
        size_t eol = r.body.find("\r\n", pos);
        if (eol == std::string::npos) break;
        size_t len = std::strtoul(r.body.substr(pos, eol - pos).c_str(), nullptr, 16);
        if (len == 0 || eol + 2 + len > r.body.size()) break;
        body.append(r.body, eol + 2, len);
        pos = eol + 2 + len + 2;
      }
      r.body = std::move(body);
    }
  }
  return r;
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

bool wait_until(const std::function<bool()>& fn, double timeout_s) {
  double end = now_s() + timeout_s;
  do {
    if (fn()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (now_s() < end);
  return fn();
}

long rss_kb(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int wait_for_listen_port(const std::string& err_path, double timeout_s) {
  int port = 0;
  wait_until(
      [&] {
        std::string s = slurp(err_path);
        auto at = s.find("listening on http://127.0.0.1:");
        if (at == std::string::npos) return false;
        port = std::atoi(s.c_str() + at + std::string("listening on http://127.0.0.1:").size());
        return port > 0;
      },
      timeout_s);
  return port;
}

}  // namespace pktloss::testing
