// -c NAME|ID: which container, from the runtimes' own answers (fixture API responses), and how
// its namespace is named and entered afterwards.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "container/containerd_state.h"
#include "container/resolver.h"
#include "container/runtime_api.h"
#include "model/json.h"
#include "render/metrics_renderer.h"
#include "rules/netns_prefix.h"

namespace pktloss::container {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream f(std::string(PKTLOSS_FIXTURES) + "/container/" + name);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Inventory docker_and_podman() {
  Inventory inv;
  inv.containers = parse_container_list("docker", fixture("docker_list.json"));
  auto p = parse_container_list("podman", fixture("podman_list.json"));
  inv.containers.insert(inv.containers.end(), p.begin(), p.end());
  inv.runtimes_seen = {"docker", "podman"};
  return inv;
}

std::string error_of(const Inventory& inv, const std::string& q) {
  try {
    pick_container(inv, q);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(ContainerApi, DockerListAndInspect) {
  auto list = parse_container_list("docker", fixture("docker_list.json"));
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].name, "web");  // Docker's leading '/' is gone
  EXPECT_EQ(list[0].state, "running");
  EXPECT_EQ(list[0].pid, 0);  // Docker's list has no pid: inspect has
  EXPECT_EQ(list[3].network_mode, "host");
  EXPECT_EQ(pod_of(list[2].labels), std::make_pair(std::string("web-7d9f"), std::string("shop")));
  parse_container_inspect(fixture("docker_inspect_web.json"), list[0]);
  EXPECT_EQ(list[0].pid, 4242);
  EXPECT_EQ(list[0].network_mode, "bridge");
  EXPECT_EQ(list[0].labels.at("maintainer"), "ops");
}

TEST(ContainerApi, PodmanListCarriesPid) {
  auto list = parse_container_list("podman", fixture("podman_list.json"));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "web");
  EXPECT_EQ(list[0].pid, 5151);
  EXPECT_EQ(list[1].id.substr(0, 6), "c0ffee");  // "ID" spelling accepted
}

TEST(ContainerApi, MalformedAndHostileAnswers) {
  EXPECT_THROW(parse_container_list("docker", fixture("malformed_list.json")), std::runtime_error);
  EXPECT_THROW(parse_container_list("docker", "{\"message\": \"page not found\"}"),
               std::runtime_error);
  EXPECT_THROW(parse_container_list("docker", "[{\"Id\": \"x\""), std::runtime_error);
  EXPECT_THROW(parse_container_list("docker", "\x01\x02"), std::runtime_error);
  ContainerRecord r;
  EXPECT_THROW(parse_container_inspect("[]", r), std::runtime_error);
  // Wrong types are ignored field by field; an entry without an id is dropped.
  auto list = parse_container_list("docker", fixture("hostile_list.json"));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "x");
  EXPECT_EQ(list[0].pid, 0);
  EXPECT_FALSE(list[0].running());
  EXPECT_EQ(list[0].labels.count("a"), 0u);
  EXPECT_EQ(list[1].pid, 0);  // above PID_MAX_LIMIT
}

TEST(ContainerPick, ByNameIdPrefixAndRuntime) {
  auto inv = docker_and_podman();
  EXPECT_EQ(pick_container(inv, "db").runtime, "docker");
  EXPECT_EQ(pick_container(inv, "api").runtime, "podman");
  EXPECT_EQ(pick_container(inv, "3f2a1b").name, "web");
  EXPECT_EQ(pick_container(inv, "docker/web").runtime, "docker");
  EXPECT_EQ(pick_container(inv, "podman/web").pid, 5151);
  EXPECT_EQ(pick_container(inv, "pod/shop/web-7d9f").name, "k8s_nginx_web-7d9f_shop_0");
}

TEST(ContainerPick, AmbiguousNamesListTheCandidates) {
  auto inv = docker_and_podman();
  std::string e = error_of(inv, "web");  // docker's and podman's
  EXPECT_NE(e.find("ambiguous"), std::string::npos) << e;
  EXPECT_NE(e.find("docker/web (id 3f2a1b2c3d4e, running)"), std::string::npos) << e;
  EXPECT_NE(e.find("podman/web (id c0ffee000000"), std::string::npos) << e;
  EXPECT_NE(e.find("RUNTIME/NAME"), std::string::npos) << e;
  e = error_of(inv, "3f2a");  // two docker ids
  EXPECT_NE(e.find("docker/web"), std::string::npos) << e;
  EXPECT_NE(e.find("docker/db"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos);
}

TEST(ContainerPick, MissingNamesSayWhatRuns) {
  auto inv = docker_and_podman();
  inv.notes.push_back("podman: /run/podman/podman.sock: connect: Connection refused");
  std::string e = error_of(inv, "nginx");
  EXPECT_NE(e.find("no container 'nginx'"), std::string::npos) << e;
  EXPECT_NE(e.find("running: docker/web"), std::string::npos) << e;
  EXPECT_NE(e.find("Connection refused"), std::string::npos) << e;
  EXPECT_NE(error_of(Inventory{}, "web").find("no container runtime here"), std::string::npos);
  EXPECT_NE(error_of(inv, "containerd/web").find("no container"), std::string::npos);
}

TEST(ContainerEnv, SocketsFromEnvironment) {
  setenv("DOCKER_HOST", "unix:///tmp/d.sock", 1);
  setenv("CONTAINER_HOST", "ssh://core@remote/run/podman.sock", 1);
  auto e = RuntimeEndpoints::from_env();
  EXPECT_EQ(e.docker_socket, "/tmp/d.sock");
  EXPECT_EQ(e.podman_socket, "");  // remote: not this host's containers
  ASSERT_EQ(e.notes.size(), 1u);
  unsetenv("DOCKER_HOST");
  unsetenv("CONTAINER_HOST");
  auto d = RuntimeEndpoints::from_env();
  EXPECT_EQ(d.docker_socket, "/run/docker.sock");
  EXPECT_EQ(d.podman_socket, "/run/podman/podman.sock");
  EXPECT_EQ(d.containerd_state, "/run/containerd");
}

TEST(ContainerdState, TasksFromTheStateDirectory) {
  auto root = std::filesystem::temp_directory_path() /
              ("pktloss-ut-containerd-" + std::to_string(getpid()));
  auto task = root / "io.containerd.runtime.v2.task" / "k8s.io" / "abcdef0123";
  std::filesystem::create_directories(task);
  std::ofstream(task / "init.pid") << getpid();
  std::ofstream(task / "config.json") << fixture("oci_config_cri.json");
  auto gone = root / "io.containerd.runtime.v2.task" / "moby" / "deadbeef";
  std::filesystem::create_directories(gone);
  std::ofstream(gone / "init.pid") << "garbage";
  std::vector<std::string> notes;
  auto tasks = read_containerd_state(root.string(), notes);
  std::filesystem::remove_all(root);
  ASSERT_EQ(tasks.size(), 2u);
  const ContainerRecord& t = tasks[0].ns == "k8s.io" ? tasks[0] : tasks[1];
  const ContainerRecord& g = tasks[0].ns == "k8s.io" ? tasks[1] : tasks[0];
  EXPECT_EQ(t.name, "nginx");
  EXPECT_EQ(t.pid, getpid());
  EXPECT_TRUE(t.running());
  EXPECT_EQ(pod_of(t.labels), std::make_pair(std::string("web-5c8d"), std::string("shop")));
  EXPECT_FALSE(g.running());
  EXPECT_TRUE(notes.empty());
  EXPECT_TRUE(read_containerd_state("/nonexistent/pktloss", notes).empty());
  EXPECT_TRUE(notes.empty());  // containerd is simply not here
}

// A fake Docker API on a UNIX socket: one JSON answer per request path.
class FakeApi {
 public:
  explicit FakeApi(std::map<std::string, std::string> answers) : answers_(std::move(answers)) {
    path_ = "/tmp/pktloss-ut-api-" + std::to_string(getpid()) + "-" + std::to_string(counter_++) +
            ".sock";
    unlink(path_.c_str());
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(fd_, 8), 0);
    thread_ = std::thread([this] {
      for (;;) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string req;
        char buf[4096];
        while (req.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          req.append(buf, static_cast<size_t>(n));
        }
        std::string target = req.substr(4, req.find(' ', 4) - 4);
        auto it = answers_.find(target);
        // Chunked, as dockerd sends large lists.
        std::string out = it == answers_.end()
                              ? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                              : "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                    hex(it->second.size()) + "\r\n" + it->second + "\r\n0\r\n\r\n";
        (void)!send(c, out.data(), out.size(), MSG_NOSIGNAL);
        close(c);
      }
    });
  }
  ~FakeApi() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
    unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  static std::string hex(size_t n) {
    char b[32];
    std::snprintf(b, sizeof b, "%zx", n);
    return b;
  }
  static inline int counter_ = 0;
  std::map<std::string, std::string> answers_;
  std::string path_;
  int fd_ = -1;
  std::thread thread_;
};

std::string list_of(const std::string& id, const std::string& name) {
  return "[{\"Id\": \"" + id + "\", \"Names\": [\"/" + name + "\"], \"State\": \"running\"}]";
}
std::string inspect_of(const std::string& id, int pid, const std::string& mode) {
  return "{\"Id\": \"" + id +
         "\", \"Name\": \"/x\", \"State\": {\"Status\": \"running\", \"Pid\": " +
         std::to_string(pid) + "}, \"HostConfig\": {\"NetworkMode\": \"" + mode + "\"}}";
}

TEST(ContainerResolve, OverTheApiSockets) {
  // The "container" is this test process: its namespace is the host's, so it is reported as
  // sharing it (what --network host looks like), with a note.
  const std::string id = "aa11bb22cc33dd44";
  FakeApi docker({{"/containers/json?all=1", list_of(id, "self")},
                  {"/containers/" + id + "/json", inspect_of(id, getpid(), "bridge")}});
  RuntimeEndpoints where;
  where.docker_socket = docker.path();
  where.podman_socket = "/tmp/pktloss-ut-none.sock";
  where.containerd_state = "/nonexistent/pktloss";
  auto r = resolve_container("self", where);
  EXPECT_TRUE(r.host_network);
  EXPECT_EQ(r.target.id.kind, NetnsKind::host);
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes.back().find("docker/self"), std::string::npos);

  // The same name in Podman too: ambiguous, through the real client.
  FakeApi podman({{"/containers/json?all=1", list_of("ff00", "self")}});
  where.podman_socket = podman.path();
  try {
    resolve_container("self", where);
    ADD_FAILURE() << "ambiguous name resolved";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("podman/self"), std::string::npos) << e.what();
  }
  EXPECT_EQ(resolve_container("docker/self", where).record.runtime, "docker");
}

TEST(ContainerResolve, ABrokenRuntimeIsANoteAndDeadContainersAreErrors) {
  const std::string id = "0123abcd";
  FakeApi docker({{"/containers/json?all=1", list_of(id, "gone")},
                  {"/containers/" + id + "/json", inspect_of(id, 0, "bridge")}});
  FakeApi broken({});  // answers 404 to everything
  RuntimeEndpoints where;
  where.docker_socket = docker.path();
  where.podman_socket = broken.path();
  where.containerd_state = "/nonexistent/pktloss";
  auto inv = list_containers(where);
  ASSERT_EQ(inv.notes.size(), 1u);
  EXPECT_NE(inv.notes[0].find("podman"), std::string::npos);
  EXPECT_NE(inv.notes[0].find("HTTP 404"), std::string::npos);
  try {
    resolve_container("gone", where);
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not running"), std::string::npos) << e.what();
  }
}

NetnsId web_in_docker(std::vector<std::string> tools) {
  ContainerRef c;
  c.runtime = "docker";
  c.name = "web";
  c.id = "3f2a";
  c.tools = std::move(tools);
  return NetnsId::of_container(c, 4242, 77);
}

TEST(ContainerNetns, DisplayParseAndJson) {
  NetnsId web = web_in_docker({});
  EXPECT_EQ(web.display(), "docker/web");
  NetnsId back = NetnsId::parse("docker/web");
  EXPECT_EQ(back.kind, NetnsKind::container);
  EXPECT_EQ(back.container.runtime, "docker");
  EXPECT_EQ(back.container.name, "web");
  ContainerRef pod;
  pod.runtime = "containerd";
  pod.name = "nginx";
  pod.pod = "web-5c8d";
  pod.pod_namespace = "shop";
  EXPECT_EQ(NetnsId::of_container(pod, 1).display(), "pod/shop/web-5c8d");
  EXPECT_EQ(NetnsId::parse("pod/shop/web-5c8d").container.pod, "web-5c8d");
  // Not a runtime: stays a name (a /run/netns name can never hold '/').
  EXPECT_EQ(NetnsId::parse("lxc/web").kind, NetnsKind::named);
  Report report;
  NamespaceView v;
  v.name = web.display();
  v.netns = web;
  report.namespaces.push_back(v);
  json doc = report;
  const json& j = doc["namespaces"][0]["netns"];
  EXPECT_EQ(j["kind"], "container");
  EXPECT_EQ(j["runtime"], "docker");
  EXPECT_EQ(j["container"], "web");
  EXPECT_EQ(j["pid"], 4242);
  NetnsId rt = doc.get<Report>().namespaces.at(0).netns;
  EXPECT_EQ(rt.container.id, "3f2a");
  EXPECT_EQ(rt.pid, 4242);
}

TEST(ContainerNetns, FixesEnterTheContainerAsItsOperatorWould) {
  Snapshot snap;
  NetnsSnapshot ns;
  ns.id = web_in_docker({"ip"});
  ns.name = ns.id.display();
  snap.namespaces.push_back(ns);
  NetnsSnapshot admin;
  admin.id = web_in_docker({"ip"});
  admin.id.container.name = "router";
  admin.id.container.net_admin = true;
  admin.name = admin.id.display();
  snap.namespaces.push_back(admin);
  KnownNetns known(snap);
  // With CAP_NET_ADMIN the exec inherits it: no --privileged.
  std::string r = command_in_netns("docker/router", {"ip", "link", "set", "dev", "eth0", "up"});
  EXPECT_EQ(r.substr(0, r.find("   #")), "docker exec router ip link set dev eth0 up");
  // The image has ip but the container no CAP_NET_ADMIN: docker exec --privileged.
  std::string mtu =
      command_in_netns("docker/web", {"ip", "link", "set", "dev", "eth0", "mtu", "1500"});
  EXPECT_EQ(mtu.substr(0, mtu.find("   #")),
            "docker exec --privileged web ip link set dev eth0 mtu 1500");
  EXPECT_NE(mtu.find("# docker exec: the image has ip; --privileged because the container lacks "
                     "CAP_NET_ADMIN"),
            std::string::npos)
      << mtu;
  // It has no iptables: the host's, in the container's namespace.
  std::string ipt = command_in_netns("docker/web", {"iptables", "-D", "INPUT", "1"});
  EXPECT_EQ(ipt.substr(0, ipt.find("   #")), "nsenter -t 4242 -n iptables -D INPUT 1");
  EXPECT_NE(ipt.find("the image has no iptables"), std::string::npos) << ipt;
  // Outside an evaluation (a report read back) the pid is unknown: no prefix, but a comment.
  Snapshot empty;
  KnownNetns none(empty);
  std::string blind = command_in_netns("docker/web", {"iptables", "-L"});
  EXPECT_NE(blind.find("# run inside container docker/web"), std::string::npos) << blind;
}

}  // namespace
}  // namespace pktloss::container

namespace pktloss {
namespace {

TEST(ContainerMetrics, NetnsInfoNamesTheContainer) {
  Snapshot snap;
  NetnsSnapshot ns;
  ContainerRef c;
  c.runtime = "docker";
  c.name = "web";
  c.id = "3f2a1b2c3d4e5f607182";
  ns.id = NetnsId::of_container(c, 4242, 9);
  ns.name = ns.id.display();
  ns.inode = 9;
  Link l;
  l.name = "eth0";
  l.stats.rx_dropped = 5;
  ns.links.push_back(l);
  snap.namespaces.push_back(ns);
  MetricsInput in;
  in.snapshot = &snap;
  std::string text = render_metrics(in, MetricsFormat::prometheus).text;
  EXPECT_NE(
      text.find("pktloss_netns_info{netns=\"docker/web\",kind=\"container\",runtime=\"docker\","
                "container=\"web\",container_id=\"3f2a1b2c3d4e\""),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("pktloss_link_rx_dropped_total{netns=\"docker/web\",device=\"eth0\"} 5"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace pktloss
