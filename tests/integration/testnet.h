#pragma once
// Test hosts for integration tests: two network namespaces ("client" and "server") joined by a
// veth pair, uniquely named per process and test so parallel runs cannot collide, and always
// removed (destructor; namespaces left by a crashed run are swept by the next one).
//
//   client ns: eth0 10.77.0.1/24   <-- veth -->   server ns: eth0 10.77.0.2/24
//
// Test set-up may use ip/tc/iptables/nft commands to *inject* faults; pktloss itself never does.
#include <functional>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pktloss::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a shell command (bounded by `timeout_s`) and captures stdout and stderr.
CommandResult sh(const std::string& cmd, int timeout_s = 60);
// Runs it and fails the current test (ADD_FAILURE) when it exits non-zero.
void sh_ok(const std::string& cmd, int timeout_s = 60);

class TestNet {
 public:
  static constexpr const char* kClientIp = "10.77.0.1";
  static constexpr const char* kServerIp = "10.77.0.2";

  TestNet();
  ~TestNet();
  TestNet(const TestNet&) = delete;
  TestNet& operator=(const TestNet&) = delete;

  const std::string& client() const { return client_; }
  const std::string& server() const { return server_; }

  // `ip netns exec <ns> <cmd>`
  CommandResult in_client(const std::string& cmd, int timeout_s = 60) const;
  CommandResult in_server(const std::string& cmd, int timeout_s = 60) const;

  // A real nginx in the server namespace on port 80 serving "/" and "/30k.bin" (30 KB).
  void start_nginx();
  // A command left running in the background in a namespace; killed at teardown.
  void spawn(const std::string& netns, const std::string& cmd);

  // HTTP GETs from the client with curl; returns how many succeeded.
  int curl_many(const std::string& path, int count, double timeout_s = 2.0) const;

  // Runs the pktloss binary with args; stdout parsed as JSON when `--json` is among args.
  CommandResult pktloss(const std::string& args, int timeout_s = 120) const;
  // Starts `pktloss ARGS` (a subcommand and its options) in the background and returns once its
  // observation window is open (--ready-fd), so traffic sent next is inside the window however
  // long the first snapshot takes on a loaded machine: no guessed sleep.
  // finish() ends the window now (SIGINT) and returns the report: the window then holds what
  // the test did while it was open, however slow the machine. result.get() waits for a window
  // that ends by itself (diagnose's probes).
  struct Running {
    std::future<CommandResult> result;
    std::string pidfile;  // pktloss's pid
    CommandResult finish();
  };
  Running pktloss_started(const std::string& args, int timeout_s = 120) const;
  // pktloss_started(args), the traffic, then SIGINT ends the window: the window holds all of the
  // traffic and nothing after it, however slow the machine (a VM under TCG takes seconds to start
  // a curl). ARGS give a long duration (-d/-i 60); the report is marked "interrupted".
  // The traffic's own output (stdout and stderr) goes to *traffic_output when given.
  CommandResult pktloss_until_done(const std::string& args, const std::string& traffic,
                                   int timeout_s = 120,
                                   std::string* traffic_output = nullptr) const;
  // `pktloss check -n NETNS -i 120 --json` around `traffic` (pktloss_until_done): the report,
  // with the traffic's output and pktloss's stderr under "test_traffic" for failure messages.
  nlohmann::json check_report_around(const std::string& netns, const std::string& traffic) const;
  // `ip netns exec NETNS bash -c CMD`, quoted, for pktloss_until_done's traffic.
  static std::string in_netns(const std::string& netns, const std::string& cmd);
  static nlohmann::json findings_with_id(const nlohmann::json& report, const std::string& id);

  const std::string& workdir() const { return workdir_; }

 private:
  std::string prefix_;
  std::string client_;
  std::string server_;
  std::string workdir_;
  std::vector<std::string> pidfiles_;
};

// Runs fn inside a named namespace on a worker thread (for sockets the test opens itself).
void run_in_named_netns(const std::string& name, const std::function<void()>& fn);

}  // namespace pktloss::testing
