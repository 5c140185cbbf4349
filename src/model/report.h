#pragma once
// The report document (spec/findings.md): every renderer reads this and only this.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/capture.h"
#include "model/finding.h"
#include "model/netns_id.h"
#include "model/observations.h"

namespace pktloss {

struct LayerSummary {
  uint64_t drops = 0;  // packets attributed to this layer in the window (or lifetime)
  LayerStatus status = LayerStatus::ok;
};

// One namespace's column of the packet path: the layers as summarise_layers sees the findings
// of that namespace alone. "probing": the probes left from here; "observed": only watched.
struct NamespaceView {
  std::string name;
  NetnsId netns;  // what lives there: container, pod, /run/netns name, or pid and comm
  std::string role = "observed";
  bool probed = false;  // the probes' target listens here (a socket on the probed address:port)
  std::map<std::string, LayerSummary> layers;  // every layer, keyed by name
};

// One end of a link between namespaces.
struct LinkEnd {
  std::string netns;  // empty: the other end is not visible (another host, unreadable peer)
  std::string dev;
  uint32_t mtu = 0;
};

// How two namespaces are joined: "veth" (a pair), "bridge" (a veth whose end is enslaved to
// bridge `via`) or "wire" (a physical device; b is the far side, unknown).
struct PathLink {
  LinkEnd a, b;
  std::string kind = "veth";
  std::string via;  // the bridge's name for kind "bridge"
};

// One eBPF program on a device's packet path (the report's "bpf_programs"): an XDP program in
// one mode, or a tc cls_bpf filter's program.
struct AttachedProgram {
  std::string netns;
  std::string dev;
  std::string hook;  // "xdp", "tc ingress", "tc egress", "tc parent 1:"
  std::string mode;  // xdp: "drv", "skb", "hw"; tc: "direct-action" or ""
  uint32_t id = 0;
  bool info_read = false;  // false: the id only (see the notes)
  std::string name;
  std::string type;
  std::string tag;
  uint64_t run_cnt = 0;
  uint64_t run_time_ns = 0;
  // Runs in the window: set when windowed, the same program both times and stats enabled.
  std::optional<uint64_t> run_cnt_delta;
  bool stats_enabled = false;  // kernel.bpf_stats_enabled: run counts are 0 without it
};

struct Target {
  std::string host;
  uint16_t port = 0;
};

struct Report {
  std::string tool = "pktloss";
  std::string version;
  std::string host;
  std::string netns;
  std::string started;  // RFC 3339
  double window_s = 0;  // 0: one snapshot, lifetime totals only
  // The window was ended early by SIGINT / SIGTERM: what follows covers only that part.
  bool interrupted = false;
  std::optional<Target> target;
  std::vector<ProbeResult> probes;
  std::map<std::string, LayerSummary> layers;  // keyed by layer name (all namespaces)
  std::vector<NamespaceView> namespaces;       // the same per namespace, in snapshot order
  std::vector<PathLink> links;                 // veth pairs / bridges / wires between them
  std::vector<AttachedProgram> bpf_programs;   // XDP and tc-BPF programs on the devices
  std::vector<Finding> findings;               // ranked
  std::vector<DropEventRow> drop_events;
  std::vector<FlowVerdict> flows;
  std::vector<std::string> notes;
  // `pktloss capture`: the per-flow analysis behind the findings, and what was read ("FILE" or
  // "IFACE@NETNS"); the JSON document carries it as its "capture" section.
  std::optional<CaptureAnalysis> capture;
  std::string capture_source;
};

}  // namespace pktloss
