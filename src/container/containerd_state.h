#pragma once
// containerd without its gRPC API: the v2 shim state directory holds, per namespace and task,
// init.pid (the task's init process, /proc-level ground truth) and the OCI config.json whose
// annotations carry the CRI names (container, pod, pod namespace) on a Kubernetes node.
#include <string>
#include <vector>

#include "container/runtime_api.h"

namespace pktloss::container {

// Tasks under ROOT/io.containerd.runtime.v2.task/<namespace>/<id>/. A missing ROOT is no runtime
// (empty, no note); an unreadable one adds a note.
std::vector<ContainerRecord> read_containerd_state(const std::string& root,
                                                   std::vector<std::string>& notes);

// The CRI annotations of an OCI config.json (untrusted bytes): fills name and labels of rec.
void apply_oci_annotations(const std::string& config_json, ContainerRecord& rec);

}  // namespace pktloss::container
