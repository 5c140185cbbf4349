#pragma once
// JSON (de)serialisation of the model: the report contract (spec/findings.md) and snapshots,
// which tests load as fixtures and `check --save/--load` write and read.
#include <nlohmann/json.hpp>
#include <optional>

#include "model/observations.h"
#include "model/report.h"
#include "model/snapshot.h"

namespace nlohmann {
template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& o) {
    if (o)
      j = *o;
    else
      j = nullptr;
  }
  static void from_json(const json& j, std::optional<T>& o) {
    if (j.is_null())
      o.reset();
    else
      o = j.get<T>();
  }
};
// A link's peer stats that could not be read are an empty object, as when they were a map; an
// empty object (or null) reads back as none.
template <>
struct adl_serializer<std::optional<pktloss::LinkStats>> {
  static void to_json(json& j, const std::optional<pktloss::LinkStats>& o);
  static void from_json(const json& j, std::optional<pktloss::LinkStats>& o);
};
}  // namespace nlohmann

namespace pktloss {
using nlohmann::json;

void to_json(json& j, const LinkStats& v);
void from_json(const json& j, LinkStats& v);
void to_json(json& j, const RingParams& v);
void from_json(const json& j, RingParams& v);
void to_json(json& j, const XdpAttachment& v);
void from_json(const json& j, XdpAttachment& v);
void to_json(json& j, const BpfProgram& v);
void from_json(const json& j, BpfProgram& v);
void to_json(json& j, const Link& v);
void from_json(const json& j, Link& v);
void to_json(json& j, const QdiscStats& v);
void from_json(const json& j, QdiscStats& v);
void to_json(json& j, const Qdisc& v);
void from_json(const json& j, Qdisc& v);
void to_json(json& j, const TcAction& v);
void from_json(const json& j, TcAction& v);
void to_json(json& j, const TcFilter& v);
void from_json(const json& j, TcFilter& v);
void to_json(json& j, const SocketOwner& v);
void from_json(const json& j, SocketOwner& v);
void to_json(json& j, const Socket& v);
void from_json(const json& j, Socket& v);
void to_json(json& j, const Route& v);
void from_json(const json& j, Route& v);
void to_json(json& j, const Neighbour& v);
void from_json(const json& j, Neighbour& v);
void to_json(json& j, const SoftnetCpu& v);
void from_json(const json& j, SoftnetCpu& v);
void to_json(json& j, const Conntrack& v);
void from_json(const json& j, Conntrack& v);
void to_json(json& j, const FirewallRule& v);
void from_json(const json& j, FirewallRule& v);
void to_json(json& j, const FirewallChain& v);
void from_json(const json& j, FirewallChain& v);
void to_json(json& j, const Firewall& v);
void from_json(const json& j, Firewall& v);
void to_json(json& j, const NetnsSnapshot& v);
void from_json(const json& j, NetnsSnapshot& v);
void to_json(json& j, const Snapshot& v);
void from_json(const json& j, Snapshot& v);

void to_json(json& j, const RttStats& v);
void from_json(const json& j, RttStats& v);
void to_json(json& j, const ProbeResult& v);
void from_json(const json& j, ProbeResult& v);
void to_json(json& j, const DropEventRow& v);
void from_json(const json& j, DropEventRow& v);
void to_json(json& j, const FlowVerdict& v);
void from_json(const json& j, FlowVerdict& v);

void to_json(json& j, const Evidence& v);
void from_json(const json& j, Evidence& v);
void to_json(json& j, const Finding& v);
void from_json(const json& j, Finding& v);
void to_json(json& j, const LayerSummary& v);
void from_json(const json& j, LayerSummary& v);
void to_json(json& j, const Target& v);
void from_json(const json& j, Target& v);
void to_json(json& j, const Place& v);
void from_json(const json& j, Place& v);
void to_json(json& j, const NamespaceView& v);
void from_json(const json& j, NamespaceView& v);
void to_json(json& j, const LinkEnd& v);
void from_json(const json& j, LinkEnd& v);
void to_json(json& j, const PathLink& v);
void from_json(const json& j, PathLink& v);
void to_json(json& j, const AttachedProgram& v);
void from_json(const json& j, AttachedProgram& v);
void to_json(json& j, const Report& v);
void from_json(const json& j, Report& v);

std::optional<Layer> layer_from_string(const std::string& s);
std::optional<Severity> severity_from_string(const std::string& s);

}  // namespace pktloss
