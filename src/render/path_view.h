#pragma once
// What the packet-path picture shows, taken from the report alone (no geometry): one column
// per namespace with its layers top-down, each finding at warning or above as a marker in the
// layer and namespace it names, the links between the columns and the probe traffic. The SVG
// (svg_path.h) and the terminal picture (text_path.h) both draw this.
#include <cstddef>
#include <string>
#include <vector>

#include "model/report.h"

namespace pktloss {

struct PathMarker {
  size_t finding = 0;  // index into Report::findings (the HTML anchor is finding-<index+1>)
  std::string id;
  Severity severity = Severity::info;
  bool symptom = false;
  std::string label;  // where, said short: "INPUT (hook input)", "tbf 8001: eth0 egress"
};

struct PathLayer {
  Layer layer = Layer::link;
  LayerSummary summary;
  std::vector<PathMarker> markers;
};

struct PathColumn {
  std::string name;
  std::string role;  // "probing", "observed"
  bool probed = false;
  std::vector<PathLayer> layers;  // application first, link last
};

struct PathConnection {
  static constexpr size_t kOutside = static_cast<size_t>(-1);
  size_t a = kOutside, b = kOutside;  // column indexes; kOutside: not a column (another host)
  std::string kind;                   // "veth", "bridge", "wire"
  std::string label;                  // "veth eth0 mtu 1500 <-> eth0 mtu 100"
};

struct PathTraffic {
  size_t from = PathConnection::kOutside, to = PathConnection::kOutside;
  std::string label;  // "http 10.77.0.2:80: 30 sent, 45.0% lost"
  double loss = 0;
};

struct PathView {
  std::vector<PathColumn> columns;
  std::vector<PathConnection> links;
  std::vector<PathTraffic> traffic;
};

inline constexpr Layer kLayersTopDown[] = {Layer::application, Layer::socket,    Layer::transport,
                                           Layer::ip,          Layer::netfilter, Layer::qdisc,
                                           Layer::link};

// Columns: the probing namespaces first, then the others in report order. A report without
// per-namespace views (older JSON) gives one column from the aggregate layers.
PathView build_path_view(const Report& r);

// The id without its layer ("drop_rule" for "netfilter.drop_rule"): the marker sits in the layer.
std::string short_id(const std::string& id, Layer layer);

// The place of a finding said short, from its structured place (else its object).
std::string marker_label(const Finding& f);

}  // namespace pktloss
