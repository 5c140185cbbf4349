// Containers by name, against a real Docker daemon the fixture starts (its own socket, bridge and
// data, no iptables changes): the classic case inside a container, diagnosed from the host by
// the container's name; a --network host container; ambiguous and missing names.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "container_daemon.h"
#include "serve_util.h"
#include "testnet.h"

using pktloss::testing::DockerDaemon;
using pktloss::testing::Process;
using pktloss::testing::sh;
using pktloss::testing::TempDir;
using pktloss::testing::TestNet;

namespace {

class Containers : public ::testing::Test {
 protected:
  // One daemon for the suite: starting dockerd is the slow part.
  static void SetUpTestSuite() {
    daemon_ = new DockerDaemon();
    if (daemon_->unavailable().empty())
      setenv("DOCKER_HOST", ("unix://" + daemon_->socket()).c_str(), 1);
    // No podman or containerd of the host's may answer for names this suite makes up.
    setenv("CONTAINER_HOST", "unix:///nonexistent/pktloss-test-podman.sock", 1);
    setenv("PKTLOSS_CONTAINERD_STATE", "/nonexistent/pktloss-test-containerd", 1);
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
    unsetenv("DOCKER_HOST");
    unsetenv("CONTAINER_HOST");
    unsetenv("PKTLOSS_CONTAINERD_STATE");
  }
  void SetUp() override {
    if (!daemon_->installed()) GTEST_SKIP() << "no Docker here: " << daemon_->unavailable();
    ASSERT_EQ(daemon_->unavailable(), "");
  }
  static DockerDaemon* daemon_;
};
DockerDaemon* Containers::daemon_ = nullptr;

nlohmann::json first(const nlohmann::json& report, const std::string& id) {
  auto all = TestNet::findings_with_id(report, id);
  return all.empty() ? nlohmann::json() : all[0];
}

TEST_F(Containers, ClassicCaseDiagnosedFromTheHostByName) {
  TestNet net;  // for the binary and its helpers; the namespace under test is the container's
  const std::string web = daemon_->unique() + "-web";
  // busybox httpd: no registry here, so no nginx image; busybox-static is a Debian package and
  // its httpd is a real TCP listener serving files, which is all the case needs.
  // NET_ADMIN so the image's own ip can be exec'd without --privileged (which this sandbox's
  // capability bounding set refuses); the --privileged spelling is unit-tested.
  const int pid = daemon_->run(web, "/bin/httpd -f -p 80 -h /www", "--cap-add NET_ADMIN");
  ASSERT_GT(pid, 0) << daemon_->docker("logs " + web).err;
  const std::string ip = [&] {
    auto r = daemon_->docker("inspect -f '{{.NetworkSettings.IPAddress}}' " + web);
    return r.out.substr(0, r.out.find('\n'));
  }();
  ASSERT_FALSE(ip.empty());
  const std::string in_ns = "nsenter -t " + std::to_string(pid) + " -n ";
  ASSERT_EQ(
      sh(in_ns + "iptables -A INPUT -m statistic --mode random --probability 0.3 -j DROP && " +
         in_ns + "iptables -A OUTPUT -m statistic --mode random --probability 0.3 -j DROP && " +
         in_ns + "ip link set dev eth0 mtu 100")
          .exit_code,
      0);

  auto r = net.pktloss("diagnose --target " + ip + ":80 --observe-container " + web +
                           " --count 10 --interval 10 --json",
                       120);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto report = nlohmann::json::parse(r.out);
  const std::string name = "docker/" + web;
  auto drop = first(report, "netfilter.drop_rule");
  ASSERT_FALSE(drop.is_null()) << r.out;
  EXPECT_EQ(drop.value("netns", ""), name);
  // Seen from both ends: the container's own eth0, and the host's veth whose peer it is.
  bool mtu_here = false;
  for (const auto& f : TestNet::findings_with_id(report, "link.mtu_low"))
    mtu_here |= f.value("netns", "") == name ||
                f.value("place", nlohmann::json::object()).value("netns", "") == name;
  EXPECT_TRUE(mtu_here) << r.out;
  // The namespace is named by what lives in it.
  bool seen = false;
  for (const auto& ns : report["namespaces"])
    if (ns.value("name", "") == name) {
      seen = true;
      EXPECT_EQ(ns["netns"].value("kind", ""), "container");
      EXPECT_EQ(ns["netns"].value("runtime", ""), "docker");
      EXPECT_EQ(ns["netns"].value("container", ""), web);
      EXPECT_EQ(ns["netns"].value("pid", 0), pid);
    }
  EXPECT_TRUE(seen) << report["namespaces"].dump();

  // check -c: the same causes, by the container's name, from one snapshot.
  auto c = net.pktloss("check -c " + web + " --json");
  ASSERT_EQ(c.exit_code, 1) << c.err;
  auto check = nlohmann::json::parse(c.out);
  EXPECT_EQ(check.value("netns", ""), name);
  auto cdrop = first(check, "netfilter.drop_rule");
  auto cmtu = first(check, "link.mtu_low");
  ASSERT_FALSE(cdrop.is_null()) << c.out;
  ASSERT_FALSE(cmtu.is_null()) << c.out;
  EXPECT_EQ(cmtu.value("netns", ""), name);
  EXPECT_EQ(cdrop.value("netns", ""), name);

  // Text output names the container too (and its fixes).
  auto t = net.pktloss("check -c " + web + " --no-color");
  EXPECT_NE(t.out.find("docker exec " + web + " ip link set"), std::string::npos) << t.out;
  if (std::getenv("PKTLOSS_SHOW_OUTPUT")) std::printf("%s\n", t.out.c_str());  // for the README

  // The image has busybox's ip but no iptables: ip runs through docker exec, iptables through
  // nsenter with the host's. Pasted as printed, each fix works.
  const std::string mtu_fix = cmtu["fix"].at(0).get<std::string>();
  EXPECT_EQ(mtu_fix.rfind("docker exec " + web + " ip link set dev eth0 mtu ", 0), 0u) << mtu_fix;
  auto fixed = sh(mtu_fix);
  EXPECT_EQ(fixed.exit_code, 0) << mtu_fix << "\n" << fixed.out << fixed.err;
  EXPECT_NE(sh(in_ns + "ip -o link show dev eth0").out.find(" mtu 1500 "), std::string::npos);
  for (const auto& f : TestNet::findings_with_id(check, "netfilter.drop_rule")) {
    const std::string fix = f["fix"].at(0).get<std::string>();
    EXPECT_EQ(fix.rfind(in_ns + "iptables", 0), 0u) << fix;
    EXPECT_NE(fix.find("the image has no iptables"), std::string::npos) << fix;
    EXPECT_EQ(sh(fix).exit_code, 0) << fix;
  }
  EXPECT_EQ(sh(in_ns + "iptables -S | grep -c DROP").out, "0\n");
}

// serve -c: the exporter follows a container by name. Its namespace's series carry the name the
// report uses ("docker/NAME"), pktloss_netns_info says what lives there, and a DROP rule inside
// the container moves its counter and raises its finding, labelled with the container.
TEST_F(Containers, ServeFollowsAContainerByNameAndLabelsItsSeries) {
  TestNet net;
  const std::string web = daemon_->unique() + "-served";
  const int pid = daemon_->run(web, "/bin/httpd -f -p 80 -h /www");
  ASSERT_GT(pid, 0) << daemon_->docker("logs " + web).err;
  const std::string in_ns = "nsenter -t " + std::to_string(pid) + " -n ";
  ASSERT_EQ(sh(in_ns + "iptables -A INPUT -p udp --dport 9 -j DROP").exit_code, 0);
  TempDir tmp;
  Process serve({PKTLOSS_BINARY, "serve", "--listen", "127.0.0.1:0", "-c", web, "--interval", "1",
                 "--window", "4", "--no-trace"},
                tmp.path() + "/out", tmp.path() + "/err");
  const int port = pktloss::testing::wait_for_listen_port(tmp.path() + "/err", 30);
  ASSERT_GT(port, 0) << pktloss::testing::slurp(tmp.path() + "/err");
  const std::string name = "docker/" + web;
  // Traffic into the DROP rule from inside the container's namespace (to its own address).
  for (int i = 0; i < 20; ++i) sh(in_ns + "bash -c 'echo x > /dev/udp/127.0.0.1/9' 2>/dev/null");
  std::string body;
  const bool found = pktloss::testing::wait_until(
      [&] {
        body = pktloss::testing::http_get(port, "/metrics").body;
        // The finding's series, labelled with the container's name.
        for (size_t at = 0; (at = body.find("pktloss_finding{id=\"netfilter.drop_rule\"", at)) !=
                            std::string::npos;
             ++at)
          if (body.substr(at, body.find('\n', at) - at).find("netns=\"" + name + "\"") !=
              std::string::npos)
            return true;
        return false;
      },
      20);
  EXPECT_TRUE(found) << body;
  EXPECT_NE(body.find("pktloss_netns_info{netns=\"" + name +
                      "\",kind=\"container\",runtime=\"docker\",container=\"" + web + "\""),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("pktloss_netfilter_rule_packets_total{netns=\"" + name + "\""),
            std::string::npos)
      << body;
  EXPECT_EQ(serve.stop(), 0) << pktloss::testing::slurp(tmp.path() + "/err");
}

TEST_F(Containers, HostNetworkContainerSharesTheHostsFindings) {
  TestNet net;
  const std::string name = daemon_->unique() + "-hostnet";
  ASSERT_GT(daemon_->run(name, "/bin/sleep 300", "--network host"), 0);
  auto r = net.pktloss("check -c " + name + " --json --no-sockets --no-firewall");
  ASSERT_NE(r.exit_code, 2) << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report.value("netns", ""), "host");
  bool noted = false;
  for (const auto& n : report["notes"])
    noted |= n.get<std::string>().find("--network host") != std::string::npos;
  EXPECT_TRUE(noted) << report["notes"].dump();
}

TEST_F(Containers, AllNetnsNamesEachNamespaceByWhatLivesThere) {
  TestNet net;
  const std::string name = daemon_->unique() + "-named";
  const int pid = daemon_->run(name, "/bin/sleep 300");
  ASSERT_GT(pid, 0);
  auto r = net.pktloss("check --all-netns --json --no-sockets --no-firewall", 180);
  ASSERT_NE(r.exit_code, 2) << r.err;
  auto report = nlohmann::json::parse(r.out);
  bool container = false, named = false;
  for (const auto& ns : report["namespaces"]) {
    const auto& id = ns["netns"];
    if (ns.value("name", "") == "docker/" + name) {
      container = true;
      EXPECT_EQ(id.value("kind", ""), "container");
      EXPECT_EQ(id.value("container", ""), name);
      EXPECT_EQ(id.value("pid", 0), pid);
    }
    if (ns.value("name", "") == net.server()) {
      named = true;
      EXPECT_EQ(id.value("kind", ""), "named");
    }
  }
  EXPECT_TRUE(container) << report["namespaces"].dump();
  EXPECT_TRUE(named);
}

// A stand-in Podman API on a socket of its own, listing one container: enough to make a name
// exist in two runtimes (running a second real runtime for that would cost a minute).
class FakePodman {
 public:
  explicit FakePodman(const std::string& name) {
    path_ = "/tmp/pktloss-it-podman-" + std::to_string(getpid()) + ".sock";
    unlink(path_.c_str());
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 8);
    body_ = "[{\"Id\": \"c0ffee00112233\", \"Names\": [\"" + name +
            "\"], \"State\": \"running\", \"Pid\": 1}]";
    thread_ = std::thread([this] {
      for (int c; (c = accept(fd_, nullptr, nullptr)) >= 0; close(c)) {
        char buf[4096];
        (void)!recv(c, buf, sizeof buf, 0);
        std::string out = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body_.size()) +
                          "\r\n\r\n" + body_;
        (void)!send(c, out.data(), out.size(), MSG_NOSIGNAL);
      }
    });
  }
  ~FakePodman() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
    unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_, body_;
  int fd_ = -1;
  std::thread thread_;
};

TEST_F(Containers, AmbiguousAndMissingNamesAreClearErrors) {
  TestNet net;
  const std::string name = daemon_->unique() + "-twice";
  ASSERT_GT(daemon_->run(name, "/bin/sleep 300"), 0);
  FakePodman podman(name);
  setenv("CONTAINER_HOST", ("unix://" + podman.path()).c_str(), 1);
  auto r = net.pktloss("check -c " + name + " --json");
  auto qualified = net.pktloss("check -c docker/" + name + " --json --no-sockets");
  setenv("CONTAINER_HOST", "unix:///nonexistent/pktloss-test-podman.sock", 1);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ambiguous"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("docker/" + name), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("podman/" + name), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  // RUNTIME/NAME picks one.
  EXPECT_NE(qualified.exit_code, 2) << qualified.err;

  auto missing = net.pktloss("check -c " + daemon_->unique() + "-nope");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no container '" + daemon_->unique() + "-nope'"), std::string::npos)
      << missing.err;
  EXPECT_NE(missing.err.find("docker/" + name), std::string::npos) << missing.err;
}

}  // namespace

// Without any runtime, -c is a clear error and everything else works as before.
TEST(ContainersAbsent, NoRuntimeIsAClearErrorAndNothingElseChanges) {
  TestNet net;
  const std::string env =
      "DOCKER_HOST=unix:///nonexistent/d.sock CONTAINER_HOST=unix:///nonexistent/p.sock "
      "PKTLOSS_CONTAINERD_STATE=/nonexistent/c ";
  auto r = sh(env + PKTLOSS_BINARY " check -c web --json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no container 'web'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no container runtime here"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  auto all = sh(env + PKTLOSS_BINARY " check -n " + net.server() + " --json --no-sockets");
  EXPECT_NE(all.exit_code, 2) << all.err;
  EXPECT_EQ(all.err, "");
}
