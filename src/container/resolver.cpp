#include "container/resolver.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include "container/containerd_state.h"
#include "container/unix_http.h"

namespace pktloss::container {
namespace {

// "unix:///run/x.sock" -> "/run/x.sock"; anything else (tcp://, ssh://) is not a local socket.
bool unix_path(const char* env, std::string& out, std::vector<std::string>& notes) {
  const char* v = std::getenv(env);
  if (!v || !*v) return false;
  std::string s = v;
  if (s.rfind("unix://", 0) == 0 && s.size() > 7) {
    out = s.substr(7);
    return true;
  }
  notes.push_back(std::string(env) + "=" + s.substr(0, 80) +
                  " is not a unix:// socket; pktloss reads only local runtimes");
  out.clear();  // a remote daemon's containers are not on this host
  return true;
}

std::string short_id(const std::string& id) {
  return id.size() > 12 ? id.substr(0, 12) : id;
}

std::string describe(const ContainerRecord& r) {
  std::string s = r.runtime + "/" + r.name;
  if (r.runtime == "containerd" && !r.ns.empty()) s += " (namespace " + r.ns + ")";
  s += " (id " + short_id(r.id) + (r.state.empty() ? "" : ", " + r.state) + ")";
  return s;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

void ask_runtime(const std::string& runtime, const std::string& socket, const HttpLimits& limits,
                 Inventory& inv) {
  if (socket.empty()) return;
  inv.asked.push_back(runtime + " at " + socket);
  HttpGetResult r = http_get_unix(socket, "/containers/json?all=1", limits);
  if (r.outcome == HttpGetResult::Outcome::no_socket) return;
  if (r.outcome != HttpGetResult::Outcome::ok) {
    inv.notes.push_back(runtime + ": " + socket + ": " + r.error);
    return;
  }
  if (r.status != 200) {
    inv.notes.push_back(runtime + ": " + socket + " answered HTTP " + std::to_string(r.status));
    return;
  }
  try {
    auto list = parse_container_list(runtime, r.body);
    inv.containers.insert(inv.containers.end(), list.begin(), list.end());
    inv.runtimes_seen.push_back(runtime);
  } catch (const std::exception& e) {
    inv.notes.push_back(runtime + ": " + socket + ": " + e.what());
  }
}

std::string socket_of(const std::string& runtime, const RuntimeEndpoints& where) {
  return runtime == "docker" ? where.docker_socket : where.podman_socket;
}

std::optional<uint64_t> netns_inode(int pid) {
  struct stat st {};
  if (stat(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), &st) != 0) return std::nullopt;
  return static_cast<uint64_t>(st.st_ino);
}

// The host's namespace: pid 1's, or (where /proc/1 cannot be read, as in some sandboxes) ours
// when netns::current_netns() takes ours for the host's.
std::optional<uint64_t> host_inode() {
  if (auto i = netns_inode(1)) return i;
  NetnsTarget self = current_netns();
  if (self.id.kind == NetnsKind::host && self.inode) return self.inode;
  return std::nullopt;
}

std::string comm_of(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/comm");
  std::string s;
  std::getline(f, s);
  return s.substr(0, 64);
}

bool executable_in_root(const std::string& root, std::string path) {
  for (int hops = 0; hops < 10; ++hops) {
    struct stat st {};
    const std::string full = root + path;
    if (lstat(full.c_str(), &st) != 0) return false;
    if (!S_ISLNK(st.st_mode)) return S_ISREG(st.st_mode) && (st.st_mode & 0111);
    char buf[4096];
    ssize_t n = readlink(full.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return false;
    std::string target(buf, static_cast<size_t>(n));
    // An absolute link means the container's root, not ours.
    path = target.front() == '/' ? target : path.substr(0, path.rfind('/') + 1) + target;
  }
  return false;
}

// CAP_NET_ADMIN (bit 12) in the effective set of /proc/PID/status.
bool has_net_admin(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("CapEff:", 0) == 0) {
      unsigned long long caps = std::strtoull(line.c_str() + 7, nullptr, 16);
      return caps & (1ULL << 12);
    }
  return false;
}

ContainerRef ref_of(const ContainerRecord& r) {
  ContainerRef c;
  c.runtime = r.runtime;
  c.id = r.id;
  c.name = r.name;
  c.ns = r.ns;
  std::tie(c.pod, c.pod_namespace) = pod_of(r.labels);
  return c;
}

// GET /containers/{id}/json into rec; "" or the one-line reason it failed.
std::string inspect(ContainerRecord& rec, const RuntimeEndpoints& where, const HttpLimits& limits) {
  // Ids come from the runtime's own answer; anything but [A-Za-z0-9_.-] is not put into a URL.
  if (rec.id.empty() || !std::all_of(rec.id.begin(), rec.id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
      }))
    return "container id '" + short_id(rec.id) + "' has unexpected characters";
  HttpGetResult r =
      http_get_unix(socket_of(rec.runtime, where), "/containers/" + rec.id + "/json", limits);
  if (r.outcome != HttpGetResult::Outcome::ok) return r.error;
  if (r.status != 200) return "answered HTTP " + std::to_string(r.status);
  try {
    parse_container_inspect(r.body, rec);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

void inspect_running(Inventory& inv, const RuntimeEndpoints& where, const HttpLimits& limits,
                     size_t max) {
  size_t asked = 0;
  for (auto& c : inv.containers) {
    if ((c.runtime != "docker" && c.runtime != "podman") || c.pid > 0 || !c.running()) continue;
    if (asked++ >= max) {
      inv.notes.push_back("more than " + std::to_string(max) +
                          " running containers: the rest are shown by pid");
      return;
    }
    std::string err = inspect(c, where, limits);
    if (!err.empty()) {
      // One failure (a hung daemon) must not cost the timeout once per container.
      inv.notes.push_back(c.runtime + ": inspect " + c.name + ": " + err +
                          "; the remaining containers are shown by pid");
      return;
    }
  }
}

RuntimeEndpoints RuntimeEndpoints::from_env() {
  RuntimeEndpoints e;
  std::string p;
  if (unix_path("DOCKER_HOST", p, e.notes)) e.docker_socket = p;
  if (unix_path("CONTAINER_HOST", p, e.notes)) e.podman_socket = p;
  if (const char* c = std::getenv("PKTLOSS_CONTAINERD_STATE"); c && *c) e.containerd_state = c;
  return e;
}

Inventory list_containers(const RuntimeEndpoints& where, const HttpLimits& limits) {
  Inventory inv;
  inv.notes = where.notes;
  ask_runtime("docker", where.docker_socket, limits, inv);
  ask_runtime("podman", where.podman_socket, limits, inv);
  inv.asked.push_back("containerd at " + where.containerd_state);
  std::set<std::string> known;
  for (const auto& c : inv.containers) known.insert(c.id);
  bool any_task = false;
  for (auto& c : read_containerd_state(where.containerd_state, inv.notes)) {
    any_task = true;
    if (!known.count(c.id)) inv.containers.push_back(std::move(c));
  }
  if (any_task) inv.runtimes_seen.push_back("containerd");
  return inv;
}

const ContainerRecord& pick_container(const Inventory& inv, const std::string& query) {
  if (query.empty()) throw std::runtime_error("empty container name");
  std::string runtime, name = query;
  bool pod_query = false;
  if (auto slash = query.find('/'); slash != std::string::npos) {
    runtime = query.substr(0, slash);
    name = query.substr(slash + 1);
    pod_query = runtime == "pod";
  }
  std::vector<const ContainerRecord*> exact, prefix;
  for (const auto& c : inv.containers) {
    if (pod_query) {
      auto [pod, pns] = pod_of(c.labels);
      if (!pod.empty() && (pns.empty() ? "default" : pns) + "/" + pod == name && c.running())
        exact.push_back(&c);
      continue;
    }
    if (!runtime.empty() && c.runtime != runtime) continue;
    if (c.name == name || c.id == name)
      exact.push_back(&c);
    else if (c.id.rfind(name, 0) == 0)
      prefix.push_back(&c);
  }
  // Every container of a pod shares the pod's namespace: any running one of them will do.
  if (pod_query && !exact.empty()) return *exact.front();
  const auto& hits = exact.empty() ? prefix : exact;
  if (hits.size() == 1) return *hits.front();
  if (hits.size() > 1) {
    std::vector<std::string> c;
    for (const auto* h : hits) c.push_back(describe(*h));
    throw std::runtime_error("container '" + query + "' is ambiguous: " + join(c, ", ") +
                             "; name one as RUNTIME/NAME or by a longer id prefix");
  }
  std::string why;
  if (inv.runtimes_seen.empty()) {
    why = "no container runtime here (" +
          (inv.asked.empty() ? std::string("docker, podman, containerd") : join(inv.asked, ", ")) +
          "; DOCKER_HOST / CONTAINER_HOST name other sockets)";
  } else {
    std::vector<std::string> running;
    for (const auto& c : inv.containers)
      if (c.running() && running.size() < 10) running.push_back(c.runtime + "/" + c.name);
    why = running.empty() ? "no container is running (" + join(inv.runtimes_seen, ", ") + ")"
                          : "running: " + join(running, ", ");
  }
  if (!inv.notes.empty()) why += "; " + join(inv.notes, "; ");
  throw std::runtime_error("no container '" + query + "' (" + why + ")");
}

std::vector<std::string> tools_in_root(int pid) {
  static const char* kTools[] = {"iptables", "ip6tables", "nft",    "tc",
                                 "ip",       "ethtool",   "sysctl", "ss"};
  static const char* kDirs[] = {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"};
  const std::string root = "/proc/" + std::to_string(pid) + "/root";
  std::vector<std::string> out;
  for (const char* t : kTools)
    for (const char* d : kDirs)
      if (executable_in_root(root, std::string(d) + t)) {
        out.push_back(t);
        break;
      }
  return out;
}

ResolvedContainer resolve_container(const std::string& query, const RuntimeEndpoints& where,
                                    const HttpLimits& limits) {
  Inventory inv = list_containers(where, limits);
  ResolvedContainer out;
  out.record = pick_container(inv, query);
  out.notes = inv.notes;
  ContainerRecord& rec = out.record;
  if (rec.runtime == "docker" || rec.runtime == "podman") {
    // The list has no pid (Docker's) and may be stale: inspect is the runtime's word now.
    std::string err = inspect(rec, where, limits);
    if (!err.empty()) throw std::runtime_error(rec.runtime + ": inspect " + rec.name + ": " + err);
  }
  if (!rec.running() || rec.pid <= 0)
    throw std::runtime_error("container " + rec.runtime + "/" + rec.name + " is not running" +
                             (rec.state.empty() ? "" : " (" + rec.state + ")"));
  auto inode = netns_inode(rec.pid);
  if (!inode)
    throw std::runtime_error("container " + rec.runtime + "/" + rec.name + ": its init pid " +
                             std::to_string(rec.pid) + " is gone (restarted?)");
  auto host = host_inode();
  ContainerRef ref = ref_of(rec);
  if (rec.network_mode == "host" || (host && *host == *inode)) {
    out.host_network = true;
    NetnsTarget self = current_netns();
    out.target = self.id.kind == NetnsKind::host
                     ? self
                     : NetnsTarget{"host", "/proc/1/ns/net", *inode, NetnsId::host(*inode)};
    out.notes.push_back("container " + rec.runtime + "/" + rec.name +
                        " has no network namespace of its own (--network host): the findings "
                        "are the host's");
    return out;
  }
  ref.tools = tools_in_root(rec.pid);
  ref.net_admin = has_net_admin(rec.pid);
  NetnsId id = NetnsId::of_container(std::move(ref), rec.pid, *inode);
  out.target = {id.display(), "/proc/" + std::to_string(rec.pid) + "/ns/net", *inode, id};
  return out;
}

void name_by_container(std::vector<NetnsTarget>& targets, const Inventory& inv) {
  std::map<uint64_t, const ContainerRecord*> by_inode;
  auto host = host_inode();
  for (const auto& c : inv.containers) {
    if (!c.running() || c.pid <= 0) continue;
    auto ino = netns_inode(c.pid);
    if (!ino || (host && *ino == *host)) continue;
    auto [it, fresh] = by_inode.emplace(*ino, &c);
    // A pod's containers share one namespace; the one carrying the pod's labels names it.
    if (!fresh && pod_of(it->second->labels).first.empty() && !pod_of(c.labels).first.empty())
      it->second = &c;
  }
  for (auto& t : targets) {
    if (t.id.kind != NetnsKind::process && t.id.kind != NetnsKind::unnamed) continue;
    auto it = by_inode.find(t.inode);
    if (it == by_inode.end()) {
      if (t.id.kind == NetnsKind::process && t.id.comm.empty()) t.id.comm = comm_of(t.id.pid);
      continue;
    }
    const ContainerRecord& c = *it->second;
    ContainerRef ref = ref_of(c);
    ref.tools = tools_in_root(c.pid);
    ref.net_admin = has_net_admin(c.pid);
    t.id = NetnsId::of_container(std::move(ref), c.pid, t.inode);
    t.name = t.id.display();
    t.path = "/proc/" + std::to_string(c.pid) + "/ns/net";
  }
}

}  // namespace pktloss::container
