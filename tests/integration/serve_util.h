#pragma once
// Helpers for the serve/watch tests: child processes that are always killed (their whole
// process group), temporary directories that are always removed, a raw HTTP client.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace pktloss::testing {

// A child in its own process group; the destructor sends SIGTERM, then SIGKILL after 3 s.
class Process {
 public:
  // argv[0] is looked up in PATH. stdout and stderr go to the given files.
  Process(const std::vector<std::string>& argv, const std::string& out_path,
          const std::string& err_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  int pid() const { return pid_; }
  bool running();
  // SIGTERM and wait (up to timeout); returns the exit status (-1 if it had to be killed).
  int stop(double timeout_s = 3);

 private:
  int pid_ = -1;
  int status_ = -1;
  bool reaped_ = false;
};

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct HttpResult {
  int status = 0;  // 0: no answer
  std::string headers, body;
  double seconds = 0;
};
// GET over a fresh loopback connection, bounded by timeout_s.
HttpResult http_get(int port, const std::string& path, const std::string& extra_headers = "",
                    double timeout_s = 5);

// A port free on 127.0.0.1 right now (bind to 0, read, close).
int free_port();
// Polls fn every 200 ms until it returns true or the timeout passes.
bool wait_until(const std::function<bool()>& fn, double timeout_s);
long rss_kb(int pid);
std::string slurp(const std::string& path);
// The port in "pktloss serve: listening on http://127.0.0.1:PORT/metrics" in a log file.
int wait_for_listen_port(const std::string& err_path, double timeout_s);

}  // namespace pktloss::testing
