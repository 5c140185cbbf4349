#include "render/path_view.h"

#include <fmt/format.h>

#include <algorithm>

namespace pktloss {

std::string short_id(const std::string& id, Layer layer) {
  std::string prefix = std::string(to_string(layer)) + ".";
  return id.rfind(prefix, 0) == 0 && id.size() > prefix.size() ? id.substr(prefix.size()) : id;
}

std::string marker_label(const Finding& f) {
  const Place& p = f.place;
  std::string s;
  switch (f.layer) {
    case Layer::netfilter:
      if (!p.chain.empty())
        s = (p.table.empty() ? "" : p.table + " ") + p.chain +
            (p.hook.empty() ? "" : " (hook " + p.hook + ")");
      break;
    case Layer::qdisc:
      if (!p.dev.empty())
        s = (p.qdisc.empty() ? "" : p.qdisc + " ") + "on " + p.dev +
            (p.direction.empty() ? "" : " " + p.direction);
      break;
    case Layer::link:
      if (!p.dev.empty()) s = p.dev + (p.mtu ? fmt::format(" mtu {}", p.mtu) : "");
      break;
    case Layer::socket:
      if (!p.socket.empty()) s = p.socket + (p.owner.empty() ? "" : " " + p.owner);
      break;
    default:
      break;
  }
  if (s.empty()) s = f.object;
  return s;
}

namespace {

size_t column_of(const std::vector<PathColumn>& cols, const std::string& netns) {
  for (size_t i = 0; i < cols.size(); ++i)
    if (cols[i].name == netns) return i;
  return PathConnection::kOutside;
}

std::string end_text(const LinkEnd& e) {
  if (e.dev.empty()) return "?";
  return e.mtu ? fmt::format("{} mtu {}", e.dev, e.mtu) : e.dev;
}

}  // namespace

PathView build_path_view(const Report& r) {
  PathView v;
  std::vector<const NamespaceView*> order;
  for (const auto& ns : r.namespaces)
    if (ns.role == "probing") order.push_back(&ns);
  for (const auto& ns : r.namespaces)
    if (ns.role != "probing") order.push_back(&ns);
  for (const auto* ns : order) {
    PathColumn c;
    c.name = ns->name;
    c.role = ns->role;
    c.probed = ns->probed;
    for (Layer l : kLayersTopDown) {
      auto it = ns->layers.find(to_string(l));
      c.layers.push_back({l, it == ns->layers.end() ? LayerSummary{} : it->second, {}});
    }
    v.columns.push_back(std::move(c));
  }
  if (v.columns.empty()) {
    PathColumn c;
    c.name = r.netns.empty() ? std::string("this host") : r.netns;
    c.role = "observed";
    for (Layer l : kLayersTopDown) {
      auto it = r.layers.find(to_string(l));
      c.layers.push_back({l, it == r.layers.end() ? LayerSummary{} : it->second, {}});
    }
    v.columns.push_back(std::move(c));
  }

  for (size_t i = 0; i < r.findings.size(); ++i) {
    const Finding& f = r.findings[i];
    if (f.severity < Severity::warning) continue;
    const std::string& ns = f.place.netns.empty() ? f.netns : f.place.netns;
    size_t col = v.columns.size() == 1 ? 0 : column_of(v.columns, ns);
    // A finding of a namespace not drawn (host-wide softnet seen from elsewhere): first column.
    if (col == PathConnection::kOutside) col = 0;
    for (auto& pl : v.columns[col].layers)
      if (pl.layer == f.layer)
        pl.markers.push_back({i, f.id, f.severity, f.symptom, marker_label(f)});
  }

  for (const auto& l : r.links) {
    PathConnection c;
    c.a = column_of(v.columns, l.a.netns);
    c.b = l.b.netns.empty() ? PathConnection::kOutside : column_of(v.columns, l.b.netns);
    if (c.a == PathConnection::kOutside) std::swap(c.a, c.b);
    if (c.a == PathConnection::kOutside) continue;  // neither end drawn
    c.kind = l.kind;
    const LinkEnd& ea = c.a == column_of(v.columns, l.a.netns) ? l.a : l.b;
    const LinkEnd& eb = &ea == &l.a ? l.b : l.a;
    if (l.kind == "wire")
      c.label = "wire " + end_text(ea);
    else
      c.label = fmt::format(
          "{}{} {} <-> {}{}", l.kind, l.via.empty() ? "" : " " + l.via, end_text(ea), end_text(eb),
          c.b == PathConnection::kOutside && !eb.netns.empty() ? " (netns " + eb.netns + ")" : "");
    v.links.push_back(std::move(c));
  }

  for (const auto& p : r.probes) {
    PathTraffic t;
    t.from = v.columns.size() == 1 ? 0 : column_of(v.columns, p.source_netns);
    if (t.from == PathConnection::kOutside) t.from = 0;
    for (size_t i = 0; i < v.columns.size(); ++i)
      if (v.columns[i].probed && i != t.from) t.to = i;
    t.loss = p.loss;
    t.label = fmt::format("{}{}: {} sent, {:.1f}% lost", p.kind,
                          p.target.empty() ? "" : " " + p.target, p.sent, p.loss * 100);
    v.traffic.push_back(std::move(t));
  }
  return v;
}

}  // namespace pktloss
