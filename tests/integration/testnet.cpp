#include "testnet.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "netns/netns.h"

namespace pktloss::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Namespaces are named plt<pid>x<seq>c / s; a name whose pid is gone was left by a crashed run.
void sweep_stale_namespaces() {
  DIR* d = opendir("/run/netns");
  if (!d) return;
  std::vector<std::string> stale;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.rfind("plt", 0) != 0) continue;
    int pid = std::atoi(n.c_str() + 3);
    if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) stale.push_back(n);
  }
  closedir(d);
  for (const auto& n : stale) sh("ip netns pids " + n + " | xargs -r kill -9; ip netns del " + n);
}

}  // namespace

CommandResult sh(const std::string& cmd, int timeout_s) {
  char out_tmpl[] = "/tmp/pltoutXXXXXX";
  char err_tmpl[] = "/tmp/plterrXXXXXX";
  int ofd = mkstemp(out_tmpl), efd = mkstemp(err_tmpl);
  close(ofd);
  close(efd);
  std::string full = "timeout -k 5 " + std::to_string(timeout_s) + " bash -c " + quote(cmd) + " >" +
                     out_tmpl + " 2>" + err_tmpl + " </dev/null";
  int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out_tmpl);
  r.err = read_file(err_tmpl);
  unlink(out_tmpl);
  unlink(err_tmpl);
  return r;
}

void sh_ok(const std::string& cmd, int timeout_s) {
  auto r = sh(cmd, timeout_s);
  if (r.exit_code != 0)
    ADD_FAILURE() << "command failed (" << r.exit_code << "): " << cmd << "\n" << r.err;
}

TestNet::TestNet() {
  static std::atomic<int> seq{0};
  sweep_stale_namespaces();
  prefix_ = "plt" + std::to_string(getpid()) + "x" + std::to_string(seq++);
  client_ = prefix_ + "c";
  server_ = prefix_ + "s";
  workdir_ = "/tmp/" + prefix_;
  sh_ok("rm -rf " + workdir_ + " && mkdir -p " + workdir_);
  sh_ok("ip netns add " + client_ + " && ip netns add " + server_);
  sh_ok("ip link add " + prefix_ + "a netns " + client_ + " type veth peer name " + prefix_ +
        "b netns " + server_);
  sh_ok("ip -n " + client_ + " link set " + prefix_ + "a name eth0 && ip -n " + server_ +
        " link set " + prefix_ + "b name eth0");
  sh_ok("ip -n " + client_ + " addr add " + kClientIp + "/24 dev eth0 && ip -n " + client_ +
        " link set eth0 up && ip -n " + client_ + " link set lo up");
  sh_ok("ip -n " + server_ + " addr add " + kServerIp + "/24 dev eth0 && ip -n " + server_ +
        " link set eth0 up && ip -n " + server_ + " link set lo up");
}

TestNet::~TestNet() {
  for (const auto& pf : pidfiles_) sh("test -f " + pf + " && kill $(cat " + pf + ") 2>/dev/null");
  // Anything still running inside (servers, floods) goes with the namespace.
  sh("for n in " + client_ + " " + server_ + "; do ip netns pids $n | xargs -r kill -9; done");
  sh("ip netns del " + client_ + "; ip netns del " + server_);
  sh("rm -rf " + workdir_);
}

CommandResult TestNet::in_client(const std::string& cmd, int timeout_s) const {
  return sh("ip netns exec " + client_ + " bash -c " + quote(cmd), timeout_s);
}

CommandResult TestNet::in_server(const std::string& cmd, int timeout_s) const {
  return sh("ip netns exec " + server_ + " bash -c " + quote(cmd), timeout_s);
}

void TestNet::start_nginx() {
  std::string root = workdir_ + "/www";
  sh_ok("mkdir -p " + root + " " + workdir_ + "/nginx && echo hello > " + root +
        "/index.html && head -c 30720 /dev/zero | tr '\\0' x > " + root + "/30k.bin");
  std::ofstream conf(workdir_ + "/nginx.conf");
  conf << "worker_processes 1;\npid " << workdir_ << "/nginx.pid;\nerror_log " << workdir_
       << "/nginx/error.log;\ndaemon on;\nevents { worker_connections 1024; }\n"
       << "http {\n access_log off;\n client_body_temp_path " << workdir_ << "/nginx;\n"
       << " proxy_temp_path " << workdir_ << "/nginx;\n fastcgi_temp_path " << workdir_
       << "/nginx;\n uwsgi_temp_path " << workdir_ << "/nginx;\n scgi_temp_path " << workdir_
       << "/nginx;\n server { listen 80 backlog=511; root " << root << "; }\n}\n";
  conf.close();
  auto r = in_server("nginx -c " + workdir_ + "/nginx.conf -p " + workdir_);
  ASSERT_EQ(r.exit_code, 0) << "nginx failed to start: " << r.err;
  pidfiles_.push_back(workdir_ + "/nginx.pid");
  // Wait until it answers (bounded).
  for (int i = 0; i < 50; ++i) {
    if (in_server("curl -s -o /dev/null -m 1 http://127.0.0.1/").exit_code == 0) return;
    usleep(100000);
  }
  FAIL() << "nginx did not answer in the server namespace";
}

void TestNet::spawn(const std::string& netns, const std::string& cmd) {
  std::string pf = workdir_ + "/spawn" + std::to_string(pidfiles_.size()) + ".pid";
  sh_ok("ip netns exec " + netns + " setsid bash -c " + quote(cmd) +
        " >/dev/null 2>&1 </dev/null & echo $! > " + pf);
  pidfiles_.push_back(pf);
}

int TestNet::curl_many(const std::string& path, int count, double timeout_s) const {
  std::ostringstream cmd;
  cmd << "ok=0; for i in $(seq " << count << "); do curl -s -o /dev/null -m " << timeout_s
      << " http://" << kServerIp << path << " && ok=$((ok+1)); done; echo $ok";
  auto r = in_client(cmd.str(), static_cast<int>(count * (timeout_s + 1)) + 10);
  return std::atoi(r.out.c_str());
}

CommandResult TestNet::pktloss(const std::string& args, int timeout_s) const {
  return sh(std::string(PKTLOSS_BINARY) + " " + args, timeout_s);
}

TestNet::Running TestNet::pktloss_started(const std::string& args, int timeout_s) const {
  static std::atomic<int> seq{0};
  int n = seq++;
  std::string fifo = workdir_ + "/ready." + std::to_string(n);
  std::string pidfile = workdir_ + "/pktloss." + std::to_string(n) + ".pid";
  unlink(fifo.c_str());
  if (mkfifo(fifo.c_str(), 0600) != 0) ADD_FAILURE() << "mkfifo " << fifo;
  // `exec` keeps the shell's pid ($$) for pktloss itself.
  auto fut = std::async(std::launch::async, [=] {
    return sh("echo $$ > " + pidfile + "; exec " + PKTLOSS_BINARY + " " + args +
                  " --ready-fd 3 3>" + fifo,
              timeout_s);
  });
  // Non-blocking open, then poll: a pktloss that dies before its window opens closes the FIFO
  // (POLLHUP), and one that never starts runs into the timeout, instead of hanging the test.
  int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    char buf[16];
    for (int waited_ms = 0; waited_ms < timeout_s * 1000; waited_ms += 100) {
      if (poll(&p, 1, 100) > 0 && ((p.revents & POLLHUP) || read(fd, buf, sizeof buf) > 0)) break;
      if (fut.wait_for(std::chrono::seconds(0)) == std::future_status::ready) break;
    }
    close(fd);
  }
  unlink(fifo.c_str());
  return Running{std::move(fut), pidfile};
}

CommandResult TestNet::Running::finish() {
  // A pktloss that already ended has nothing to interrupt (its pid may be reused: check first).
  if (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    sh("test -s " + pidfile + " && kill -INT \"$(cat " + pidfile + ")\"");
  return result.get();
}

CommandResult TestNet::pktloss_until_done(const std::string& args, const std::string& traffic,
                                          int timeout_s, std::string* traffic_output) const {
  auto running = pktloss_started(args, timeout_s);
  // A list, so the traffic's own redirections stay; its output kept or discarded.
  auto t = sh("{ " + traffic + "\n} " + (traffic_output ? "2>&1" : ">/dev/null 2>&1"), timeout_s);
  if (traffic_output)
    *traffic_output = t.out + "traffic exit " + std::to_string(t.exit_code) + "\n";
  return running.finish();
}

nlohmann::json TestNet::check_report_around(const std::string& netns,
                                            const std::string& traffic) const {
  std::string traffic_output;
  CommandResult r =
      pktloss_until_done("check -n " + netns + " -i 120 --json", traffic, 170, &traffic_output);
  EXPECT_LE(r.exit_code, 1) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out << traffic_output << r.err;
  if (j.is_discarded()) return nlohmann::json::object();
  j["test_traffic"] = traffic_output + r.err;
  return j;
}

std::string TestNet::in_netns(const std::string& netns, const std::string& cmd) {
  return "ip netns exec " + netns + " bash -c " + quote(cmd);
}

nlohmann::json TestNet::findings_with_id(const nlohmann::json& report, const std::string& id) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : report.value("findings", nlohmann::json::array()))
    if (f.value("id", "") == id) out.push_back(f);
  return out;
}

void run_in_named_netns(const std::string& name, const std::function<void()>& fn) {
  run_in_netns(netns_by_name(name), fn);
}

}  // namespace pktloss::testing
