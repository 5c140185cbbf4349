// socket.listen_overflow and socket.rcvbuf on real sockets the test opens in the server namespace.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "testnet.h"

using pktloss::testing::run_in_named_netns;
using pktloss::testing::TestNet;

namespace {

// `check -n <ns>` with `traffic` run inside its window (closed once it is done); the report.
nlohmann::json check_during(const TestNet& net, const std::string& ns,
                            const std::function<void()>& traffic) {
  auto fut = net.pktloss_started("check -n " + ns + " -i 60 --json");
  traffic();
  auto r = fut.finish();
  EXPECT_NE(r.exit_code, 2) << r.err;
  return nlohmann::json::parse(r.out.empty() ? "{}" : r.out);
}

int bound_socket(int type, uint16_t port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, TestNet::kServerIp, &a.sin_addr);
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool evidence_mentions(const nlohmann::json& f, const std::string& text) {
  for (const auto& e : f["evidence"])
    if (e.value("text", "").find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(SocketRules, ListenerThatNeverAcceptsOverflowsAndIsNamedWithItsOwner) {
  TestNet net;
  int fd = -1;
  run_in_named_netns(net.server(), [&] {
    fd = bound_socket(SOCK_STREAM, 8080);
    if (fd >= 0) listen(fd, 1);  // backlog 1, and nobody ever calls accept()
  });
  ASSERT_GE(fd, 0);
  auto report = check_during(net, net.server(), [&] {
    net.in_client(
        "for i in $(seq 20); do curl -s -o /dev/null -m 1 http://10.77.0.2:8080/ & "
        "done; wait",
        20);
  });
  close(fd);
  auto found = TestNet::findings_with_id(report, "socket.listen_overflow");
  ASSERT_EQ(found.size(), 1u) << report.dump(2);
  const auto& f = found[0];
  EXPECT_EQ(f["netns"], net.server());
  EXPECT_EQ(f["severity"], "critical");
  EXPECT_EQ(f["object"], "tcp 10.77.0.2:8080");
  EXPECT_TRUE(evidence_mentions(f, "(pid " + std::to_string(getpid()) + ")")) << f.dump(2);
  bool counter_moved = false;
  for (const auto& e : f["evidence"])
    if (e.value("counter", "") == "TcpExt.ListenOverflows" && e.value("delta", 0) > 0)
      counter_moved = true;
  EXPECT_TRUE(counter_moved) << f.dump(2);
}

TEST(SocketRules, TinyUdpReceiveBufferNeverReadDropsAndIsNamed) {
  TestNet net;
  int fd = -1;
  run_in_named_netns(net.server(), [&] {
    fd = bound_socket(SOCK_DGRAM, 9999);
    int small = 1024;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  });
  ASSERT_GE(fd, 0);
  auto report = check_during(net, net.server(), [&] {
    run_in_named_netns(net.client(), [] {
      int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(9999);
      inet_pton(AF_INET, TestNet::kServerIp, &to.sin_addr);
      char payload[512] = {};
      for (int i = 0; i < 300; ++i)  // bounded flood
        sendto(s, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      close(s);
    });
  });
  close(fd);
  auto found = TestNet::findings_with_id(report, "socket.rcvbuf");
  ASSERT_EQ(found.size(), 1u) << report.dump(2);
  const auto& f = found[0];
  EXPECT_EQ(f["netns"], net.server());
  EXPECT_EQ(f["severity"], "critical");
  EXPECT_EQ(f["object"], "udp 10.77.0.2:9999");
  EXPECT_TRUE(evidence_mentions(f, "(pid " + std::to_string(getpid()) + ")")) << f.dump(2);
  bool socket_drops = false, counter = false;
  for (const auto& e : f["evidence"]) {
    if (e.value("counter", "") == "drops" && e.value("delta", 0) > 0) socket_drops = true;
    if (e.value("counter", "") == "Udp.RcvbufErrors" && e.value("delta", 0) > 0) counter = true;
  }
  EXPECT_TRUE(socket_drops) << f.dump(2);
  EXPECT_TRUE(counter) << f.dump(2);
  // The fix names the application and a buffer computed from this socket and the sysctls.
  bool app_fix = false;
  for (const auto& x : f["fix"]) {
    std::string line = x.get<std::string>();
    app_fix |= line.find("setsockopt(SO_RCVBUF, ") != std::string::npos &&
               line.find("(pid " + std::to_string(getpid()) + ")") != std::string::npos;
  }
  EXPECT_TRUE(app_fix) << f.dump(2);
}
