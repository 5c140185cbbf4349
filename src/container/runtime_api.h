#pragma once
// The Docker Engine API's container list and inspect answers (Podman serves the same shape on its
// compatible endpoints, and its libpod list adds Pid), parsed into plain records. Pure: bytes in,
// records out; the bytes are untrusted, so every field is type-checked and sizes are capped.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pktloss::container {

struct ContainerRecord {
  std::string runtime;  // "docker", "podman", "containerd"
  std::string id;
  std::string name;   // without the leading '/'; containerd: the CRI container name or the id
  std::string ns;     // containerd namespace
  std::string state;  // "running", "exited", ... ("" unknown)
  std::map<std::string, std::string> labels;
  int pid = 0;               // init pid, when the answer carried it
  std::string network_mode;  // "host", "bridge", "container:ID", "none" ... ("" unknown)
  bool running() const { return state == "running" || (state.empty() && pid > 0); }
};

// GET /containers/json?all=1. Throws std::runtime_error (one line) on malformed JSON or shape.
std::vector<ContainerRecord> parse_container_list(const std::string& runtime,
                                                  std::string_view body);
// GET /containers/{id}/json: fills pid, state, network_mode, labels. Throws std::runtime_error.
void parse_container_inspect(std::string_view body, ContainerRecord& rec);

// Pod identity from a container's labels (Kubernetes' CRI labels, or containerd's CRI
// annotations): {pod, pod namespace}, empty when none.
std::pair<std::string, std::string> pod_of(const std::map<std::string, std::string>& labels);

}  // namespace pktloss::container
