#pragma once
// A finding: one cause of packet loss, with the evidence from this host and the fix.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pktloss {

enum class Severity { info = 0, warning = 1, critical = 2 };
const char* to_string(Severity s);

// Layers bottom to top: the path a packet takes (spec/findings.md).
enum class Layer { link, qdisc, netfilter, ip, transport, socket, application };
const char* to_string(Layer l);
// A layer's state in the report, from its worst finding: ok, warning, fault (critical).
enum class LayerStatus { ok, warning, fault };
const char* to_string(LayerStatus s);

inline constexpr Layer kAllLayers[] = {Layer::link,       Layer::qdisc,     Layer::netfilter,
                                       Layer::ip,         Layer::transport, Layer::socket,
                                       Layer::application};

struct Evidence {
  std::string source;  // "rtnetlink", "/proc/net/netstat", "nftables", "ebpf", "probe", "pcap", ...
  std::string
      text;  // what this evidence says, e.g. the rule text or "mtu 100, peer veth-c mtu 1500"
  std::string counter;  // counter name when numeric, else empty
  std::optional<uint64_t> before, after, delta;
  // true when the counter moved during the observation window (strong evidence); false for a
  // lifetime total or a config fact.
  bool in_window = false;
  bool reset = false;  // the counter went backwards (re-created / wrapped) during the window
};

// Where on the packet path a finding sits, as structured fields a renderer can draw (the
// `object` string says the same for people). Only the fields of the finding's layer are set.
struct Place {
  std::string netns;      // where the object lives when not the finding's netns (a veth peer)
  std::string dev;        // link: the device; qdisc: the device the qdisc is attached to
  std::string direction;  // qdisc: "egress" (root tree) or "ingress"
  std::string qdisc;      // qdisc: kind and handle, "tbf 8001:"
  std::string table;      // netfilter: "ip filter"
  std::string chain;      // netfilter: "INPUT"
  std::string hook;       // netfilter: the base chain's hook, "input"; empty for a regular chain
  std::string socket;     // socket: "tcp 0.0.0.0:80"
  std::string owner;      // socket: the owning process, "nginx (pid 123)"
  uint32_t mtu = 0;       // link.mtu_low: the low MTU
  bool empty() const {
    return netns.empty() && dev.empty() && direction.empty() && qdisc.empty() && table.empty() &&
           chain.empty() && hook.empty() && socket.empty() && owner.empty() && mtu == 0;
  }
};

struct Finding {
  std::string id;  // "layer.cause", stable
  Layer layer = Layer::link;
  Severity severity = Severity::info;
  double confidence = 0.5;  // 0..1
  std::string netns;
  std::string object;  // "eth0", "ip filter INPUT rule 2", "tcp 0.0.0.0:80"
  Place place;         // the same, structured (may be empty: the renderer falls back to object)
  std::string summary;
  std::vector<Evidence> evidence;
  std::string explanation;
  std::vector<std::string> fix;
  // Ranking inputs: severity, then evidence strength (moved in window beats lifetime), then volume.
  bool moved_in_window = false;
  uint64_t volume = 0;  // packets attributed to this cause
  // A consequence of other findings (probe loss, retransmits when a firewall rule or a low MTU
  // drops packets): ranked after the causes, listed apart in the verdict.
  bool symptom = false;
};

}  // namespace pktloss
