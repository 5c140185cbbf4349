#pragma once
// -c/--container NAME|ID: which container, in which runtime, and the network namespace its init
// process holds. Docker and Podman answer over their API sockets, containerd through its state
// directory; /proc is the common ground (the init pid's ns/net).
#include <string>
#include <vector>

#include "container/http_parse.h"
#include "container/runtime_api.h"
#include "netns/netns.h"

namespace pktloss::container {

// Where the runtimes are. Defaults /run/docker.sock, /run/podman/podman.sock, /run/containerd;
// DOCKER_HOST and CONTAINER_HOST (unix://PATH, as the docker and podman clients read them) and
// PKTLOSS_CONTAINERD_STATE override them.
struct RuntimeEndpoints {
  std::string docker_socket = "/run/docker.sock";
  std::string podman_socket = "/run/podman/podman.sock";
  std::string containerd_state = "/run/containerd";
  std::vector<std::string> notes;  // an override that could not be used (tcp://...)
  static RuntimeEndpoints from_env();
};

struct Inventory {
  std::vector<ContainerRecord> containers;
  // A runtime present but failing ("docker: /run/docker.sock: connect: Connection refused"). A
  // runtime that is simply absent is not a note: most hosts have one runtime, or none.
  std::vector<std::string> notes;
  std::vector<std::string> runtimes_seen;  // answered (even with no containers)
  std::vector<std::string> asked;          // "docker at /run/docker.sock", ... (for errors)
};

// Asks every runtime (I/O, each bounded by limits.timeout_s). A container containerd runs for
// Docker (namespace "moby", same id) is listed once, as Docker's.
Inventory list_containers(const RuntimeEndpoints& where, const HttpLimits& limits = {});

// Which container `query` means: "RUNTIME/NAME" (docker/web), a name, or an id prefix. An exact
// name beats an id prefix, as in the docker CLI. Pure. Throws std::runtime_error with a one-line
// message listing the candidates when nothing or more than one container matches.
const ContainerRecord& pick_container(const Inventory& inv, const std::string& query);

// The fix tools present in a process's root filesystem (/proc/PID/root/{usr/,}{s,}bin/TOOL),
// following the image's symlinks inside that root (busybox applets are absolute symlinks).
std::vector<std::string> tools_in_root(int pid);

struct ResolvedContainer {
  NetnsTarget target;  // kind container; the host's own target for a --network host container
  ContainerRecord record;
  bool host_network = false;  // shares the host's namespace: its findings are the host's
  std::vector<std::string> notes;
};

// pick_container + inspect (pid, network mode) + /proc. Throws std::runtime_error (one line):
// no such container, ambiguous, not running, its init pid gone.
ResolvedContainer resolve_container(const std::string& query,
                                    const RuntimeEndpoints& where = RuntimeEndpoints::from_env(),
                                    const HttpLimits& limits = {});

// Fills the init pid of running Docker / Podman containers whose list entry had none (Docker's
// never has), by inspecting each: at most `max` of them, each bounded by limits. Failures are
// notes.
void inspect_running(Inventory& inv, const RuntimeEndpoints& where, const HttpLimits& limits,
                     size_t max = 256);

// For --all-netns / serve / watch: renames every target that a running container's init pid
// holds to that container (and a process-held one to "pid:N" with its comm), so each namespace
// is shown by what lives in it. Runtimes that are absent cost nothing; failing ones add notes.
void name_by_container(std::vector<NetnsTarget>& targets, const Inventory& inv);

}  // namespace pktloss::container
