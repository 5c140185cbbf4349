#pragma once
// Which network namespace: a typed value (how it is known, its name, pid and inode), not a
// packed string. Reports, findings and metric labels show it as one canonical string (display()),
// which parse() reads back, so a namespace created with `ip netns add host` is never taken for
// the host's own: it shows as "netns/host" and its fix runs under `ip netns exec host`.
#include <cstdint>
#include <string>
#include <vector>

namespace pktloss {

enum class NetnsKind {
  host,       // the initial namespace (that of pid 1)
  named,      // a /run/netns entry (`ip netns add NAME`)
  process,    // known through a process holding it (-p PID, --all-netns)
  unnamed,    // known only by its inode (e.g. from a drop event)
  container,  // a Docker / Podman / containerd container (its init pid holds the namespace)
};

// What lives in a container's namespace, as its runtime names it. Operators think in container
// and pod names, not pids: reports, fixes and metric labels use these.
struct ContainerRef {
  std::string runtime;        // "docker", "podman", "containerd"
  std::string id;             // the full id
  std::string name;           // without Docker's leading '/'; containerd: the id
  std::string ns;             // containerd namespace ("moby", "k8s.io"); empty otherwise
  std::string pod;            // label io.kubernetes.pod.name, if any
  std::string pod_namespace;  // label io.kubernetes.pod.namespace
  // Fix tools found in the container's root filesystem ("iptables", "ip", ...), so a fix can be
  // `docker exec` of the image's own tool instead of nsenter with the host's. Recorded when the
  // container is resolved; rules only read it.
  std::vector<std::string> tools;
  // CAP_NET_ADMIN in the init process's effective set: `docker exec` then inherits it, else the
  // exec needs --privileged (Docker's default capabilities leave it out).
  bool net_admin = false;
  bool has_tool(const std::string& t) const;
};

struct NetnsId {
  NetnsKind kind = NetnsKind::host;
  std::string name;  // named: the /run/netns name
  int pid = 0;       // process: a process in it
  uint64_t inode = 0;
  std::string comm;        // process: the command of `pid` (shown next to it), when known
  ContainerRef container;  // container: what runs there; pid is the container's init pid

  static NetnsId make(NetnsKind k, std::string name, int pid, uint64_t inode) {
    NetnsId id;
    id.kind = k;
    id.name = std::move(name);
    id.pid = pid;
    id.inode = inode;
    return id;
  }
  static NetnsId host(uint64_t inode = 0) { return make(NetnsKind::host, "", 0, inode); }
  static NetnsId named(std::string name, uint64_t inode = 0) {
    return make(NetnsKind::named, std::move(name), 0, inode);
  }
  static NetnsId process(int pid, uint64_t inode = 0) {
    return make(NetnsKind::process, "", pid, inode);
  }
  static NetnsId unnamed(uint64_t inode) { return make(NetnsKind::unnamed, "", 0, inode); }
  static NetnsId of_container(ContainerRef c, int pid, uint64_t inode = 0) {
    NetnsId id = make(NetnsKind::container, "", pid, inode);
    id.container = std::move(c);
    return id;
  }

  // "host", the /run/netns name, "pid:N", "netns:INODE"; a /run/netns name that reads like one
  // of the others ("host", "pid:…", "netns:…") is shown as "netns/NAME" ('/' cannot occur in a
  // /run/netns name, so the spelling is unambiguous). A container is "RUNTIME/NAME"
  // ("docker/web"), or "pod/NAMESPACE/POD" when it carries the Kubernetes labels (every
  // container of a pod shares the pod's namespace, so the pod is what names it).
  std::string display() const;
  // The inverse of display() (the inode is not part of the string and stays 0; a container's
  // pid, id and tools are not either: see rules/netns_prefix.h for how fixes recover them).
  static NetnsId parse(const std::string& display);
  // The kind as a word: "host", "named", "process", "unnamed", "container".
  const char* kind_name() const;
};

}  // namespace pktloss
