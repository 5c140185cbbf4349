#include "model/json.h"

#include <stdexcept>

namespace pktloss {

// Missing keys keep their defaults so fixtures stay short and older snapshots still load.
#define PKTLOSS_JSON(Type, ...)                                                             \
  void to_json(json& nlohmann_json_j, const Type& nlohmann_json_t) {                        \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_TO, __VA_ARGS__))                \
  }                                                                                         \
  void from_json(const json& nlohmann_json_j, Type& nlohmann_json_t) {                      \
    const Type nlohmann_json_default_obj{};                                                 \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_FROM_WITH_DEFAULT, __VA_ARGS__)) \
  }

// Every field, zeros included (rules diff them); a key that is not a field is ignored, a missing
// one reads 0, like a counter an older kernel does not have.
void to_json(json& j, const LinkStats& v) {
  j = json::object();
  for (const auto& f : kLinkStatFields) j[std::string(f.name)] = v.*f.member;
}
void from_json(const json& j, LinkStats& v) {
  if (!j.is_object()) throw std::invalid_argument("link stats: not an object");
  v = LinkStats{};
  for (const auto& [k, val] : j.items())
    if (auto m = link_stat_member(k)) v.*m = val.get<uint64_t>();
}

// A namespace's identity: only the fields its kind has, so a container reads as a container.
void to_json(json& j, const NetnsId& v) {
  j = json{{"kind", v.kind_name()}, {"name", v.display()}};
  if (v.inode) j["inode"] = v.inode;
  if (v.pid) j["pid"] = v.pid;
  if (!v.comm.empty()) j["comm"] = v.comm;
  if (v.kind == NetnsKind::named) j["netns"] = v.name;
  if (v.kind == NetnsKind::container) {
    const ContainerRef& c = v.container;
    j["runtime"] = c.runtime;
    j["container"] = c.name;
    j["container_id"] = c.id;
    if (!c.ns.empty()) j["containerd_namespace"] = c.ns;
    if (!c.pod.empty()) j["pod"] = c.pod;
    if (!c.pod_namespace.empty()) j["pod_namespace"] = c.pod_namespace;
    j["tools"] = c.tools;
    j["net_admin"] = c.net_admin;
  }
}
void from_json(const json& j, NetnsId& v) {
  if (j.is_string()) {  // documents written before the identity object
    v = NetnsId::parse(j.get<std::string>());
    return;
  }
  if (!j.is_object()) throw std::invalid_argument("netns: not an object");
  v = NetnsId::parse(j.value("name", ""));
  v.inode = j.value("inode", uint64_t{0});
  v.pid = j.value("pid", 0);
  v.comm = j.value("comm", "");
  if (v.kind == NetnsKind::container) {
    v.container.runtime = j.value("runtime", v.container.runtime);
    v.container.name = j.value("container", v.container.name);
    v.container.id = j.value("container_id", "");
    v.container.ns = j.value("containerd_namespace", "");
    v.container.pod = j.value("pod", v.container.pod);
    v.container.pod_namespace = j.value("pod_namespace", v.container.pod_namespace);
    v.container.tools = j.value("tools", std::vector<std::string>{});
    v.container.net_admin = j.value("net_admin", false);
  }
}

PKTLOSS_JSON(RingParams, rx, rx_max, tx, tx_max)
PKTLOSS_JSON(XdpAttachment, mode, prog_id)
PKTLOSS_JSON(BpfProgram, id, info_read, name, type, tag, run_cnt, run_time_ns)
PKTLOSS_JSON(Link, ifindex, name, kind, operstate, admin_up, carrier, mtu, txqlen, link_ifindex,
             link_netnsid, peer_name, peer_mtu, peer_netns, master_ifindex, master_name, master_mtu,
             stats, peer_stats, driver_stats, ring, xdp, peer_xdp)
PKTLOSS_JSON(QdiscStats, bytes, packets, drops, overlimits, requeues, backlog_bytes, qlen)
PKTLOSS_JSON(Qdisc, ifindex, dev, kind, handle, parent, is_root, options, stats)
PKTLOSS_JSON(TcAction, kind, index, verdict, random_type, random_value, random_verdict,
             police_rate_bps, police_burst_bytes, police_mtu, police_conform, packets, bytes, drops,
             overlimits)
PKTLOSS_JSON(TcFilter, ifindex, dev, parent, handle, prio, protocol, chain, kind, bpf_name, bpf_id,
             bpf_direct_action, actions)
PKTLOSS_JSON(SocketOwner, pid, comm)
PKTLOSS_JSON(Socket, proto, family, state, local_addr, local_port, remote_addr, remote_port, rqueue,
             wqueue, inode, rcvbuf, rmem_alloc, drops, owners)
PKTLOSS_JSON(Route, family, dst, type, table, dev, gateway, mtu)
PKTLOSS_JSON(Neighbour, ifindex, dev, dst, state)
PKTLOSS_JSON(SoftnetCpu, cpu, processed, dropped, time_squeeze, received_rps, flow_limit_count)
PKTLOSS_JSON(Conntrack, available, count, max, buckets, stats)
PKTLOSS_JSON(FirewallRule, backend, family, table, chain, handle, position, text, verdict,
             has_counter, packets, bytes, traits, delete_command, dports, delete_argv, delete_note,
             partial_reason, add_counter_argv, counter_note, reached_via)
PKTLOSS_JSON(FirewallChain, backend, family, table, chain, hook, policy, has_counter,
             policy_packets, policy_bytes, set_policy_command, set_policy_argv, add_counter_argv)
PKTLOSS_JSON(Firewall, rules, chains, notes)
PKTLOSS_JSON(NetnsSnapshot, name, id, inode, entered, links, qdiscs, tc_filters, snmp, softnet,
             conntrack, sysctls, sockets, routes, neighbours, neighbour_stats, firewall,
             bpf_programs, bpf_stats_enabled, notes)
PKTLOSS_JSON(Snapshot, monotonic_s, taken_at, host, namespaces)

PKTLOSS_JSON(RttStats, min_ms, avg_ms, p50_ms, p99_ms, max_ms)
PKTLOSS_JSON(ProbeResult, kind, sent, received, errors, timeouts, loss, loss_ci_low, loss_ci_high,
             rtt, detail, max_ok_size, min_failed_size, frag_needed_seen, frag_needed_mtu, target,
             source_netns, local_ifname, local_mtu, route_mtu)
PKTLOSS_JSON(DropEventRow, netns_inode, netns, ifindex, dev, reason, location, layer, finding_id,
             explanation, proto, flow, example, packets, bytes)
PKTLOSS_JSON(FlowVerdict, flow, verdict, kind, retransmits, unacked_segments, max_delivered_size,
             min_lost_size, frag_needed_seen)
NLOHMANN_JSON_SERIALIZE_ENUM(LayerStatus, {{LayerStatus::ok, "ok"},
                                           {LayerStatus::warning, "warning"},
                                           {LayerStatus::fault, "fault"}})
PKTLOSS_JSON(LayerSummary, drops, status)
PKTLOSS_JSON(Target, host, port)
PKTLOSS_JSON(NamespaceView, name, netns, role, probed, layers)
PKTLOSS_JSON(LinkEnd, netns, dev, mtu)
PKTLOSS_JSON(PathLink, a, b, kind, via)
PKTLOSS_JSON(AttachedProgram, netns, dev, hook, mode, id, info_read, name, type, tag, run_cnt,
             run_time_ns, run_cnt_delta, stats_enabled)

// Place: only the fields that are set, so a finding's place reads like its object.
void to_json(json& j, const Place& v) {
  j = json::object();
  auto put = [&](const char* k, const std::string& s) {
    if (!s.empty()) j[k] = s;
  };
  put("netns", v.netns);
  put("dev", v.dev);
  put("direction", v.direction);
  put("qdisc", v.qdisc);
  put("table", v.table);
  put("chain", v.chain);
  put("hook", v.hook);
  put("socket", v.socket);
  put("owner", v.owner);
  if (v.mtu) j["mtu"] = v.mtu;
}
void from_json(const json& j, Place& v) {
  if (!j.is_object()) throw std::invalid_argument("finding: place is not an object");
  v.netns = j.value("netns", "");
  v.dev = j.value("dev", "");
  v.direction = j.value("direction", "");
  v.qdisc = j.value("qdisc", "");
  v.table = j.value("table", "");
  v.chain = j.value("chain", "");
  v.hook = j.value("hook", "");
  v.socket = j.value("socket", "");
  v.owner = j.value("owner", "");
  v.mtu = j.value("mtu", uint32_t{0});
}

std::optional<Layer> layer_from_string(const std::string& s) {
  for (Layer l : kAllLayers)
    if (s == to_string(l)) return l;
  return std::nullopt;
}

std::optional<Severity> severity_from_string(const std::string& s) {
  for (Severity v : {Severity::info, Severity::warning, Severity::critical})
    if (s == to_string(v)) return v;
  return std::nullopt;
}

// Evidence: counters appear only when numeric, as in the spec's example.
void to_json(json& j, const Evidence& v) {
  j = json{{"source", v.source}, {"text", v.text}};
  if (!v.counter.empty()) j["counter"] = v.counter;
  if (v.before) j["before"] = *v.before;
  if (v.after) j["after"] = *v.after;
  if (v.delta) j["delta"] = *v.delta;
  j["in_window"] = v.in_window;
  if (v.reset) j["reset"] = true;
}
void from_json(const json& j, Evidence& v) {
  v.source = j.value("source", "");
  v.text = j.value("text", "");
  v.counter = j.value("counter", "");
  if (j.contains("before")) v.before = j.at("before").get<uint64_t>();
  if (j.contains("after")) v.after = j.at("after").get<uint64_t>();
  if (j.contains("delta")) v.delta = j.at("delta").get<uint64_t>();
  v.in_window = j.value("in_window", false);
  v.reset = j.value("reset", false);
}

void to_json(json& j, const Finding& v) {
  j = json{{"id", v.id},
           {"layer", to_string(v.layer)},
           {"severity", to_string(v.severity)},
           {"confidence", v.confidence},
           {"netns", v.netns},
           {"object", v.object},
           {"summary", v.summary},
           {"evidence", v.evidence},
           {"explanation", v.explanation},
           {"fix", v.fix},
           {"moved_in_window", v.moved_in_window},
           {"volume", v.volume},
           {"symptom", v.symptom}};
  if (!v.place.empty()) j["place"] = v.place;
}
void from_json(const json& j, Finding& v) {
  v.id = j.at("id").get<std::string>();
  auto layer = layer_from_string(j.at("layer").get<std::string>());
  auto sev = severity_from_string(j.at("severity").get<std::string>());
  if (!layer || !sev) throw std::invalid_argument("finding: unknown layer or severity");
  v.layer = *layer;
  v.severity = *sev;
  v.confidence = j.value("confidence", 0.5);
  v.netns = j.value("netns", "");
  v.object = j.value("object", "");
  v.summary = j.value("summary", "");
  v.evidence = j.value("evidence", std::vector<Evidence>{});
  v.explanation = j.value("explanation", "");
  v.fix = j.value("fix", std::vector<std::string>{});
  v.moved_in_window = j.value("moved_in_window", false);
  v.volume = j.value("volume", uint64_t{0});
  v.symptom = j.value("symptom", false);
  if (j.contains("place")) v.place = j.at("place").get<Place>();
}

void to_json(json& j, const Report& v) {
  j = json{{"tool", v.tool},         {"version", v.version},         {"host", v.host},
           {"netns", v.netns},       {"started", v.started},         {"window_s", v.window_s},
           {"target", nullptr},      {"probes", v.probes},           {"layers", v.layers},
           {"findings", v.findings}, {"drop_events", v.drop_events}, {"flows", v.flows},
           {"notes", v.notes},       {"namespaces", v.namespaces},   {"links", v.links}};
  j["bpf_programs"] = v.bpf_programs;
  if (v.target) j["target"] = *v.target;
  if (v.interrupted) j["interrupted"] = true;
}
void from_json(const json& j, Report& v) {
  v.tool = j.value("tool", "pktloss");
  v.version = j.value("version", "");
  v.host = j.value("host", "");
  v.netns = j.value("netns", "");
  v.started = j.value("started", "");
  v.window_s = j.value("window_s", 0.0);
  v.interrupted = j.value("interrupted", false);
  if (j.contains("target") && !j.at("target").is_null()) v.target = j.at("target").get<Target>();
  v.probes = j.value("probes", std::vector<ProbeResult>{});
  v.layers = j.value("layers", std::map<std::string, LayerSummary>{});
  v.findings = j.value("findings", std::vector<Finding>{});
  v.drop_events = j.value("drop_events", std::vector<DropEventRow>{});
  v.flows = j.value("flows", std::vector<FlowVerdict>{});
  v.notes = j.value("notes", std::vector<std::string>{});
  v.namespaces = j.value("namespaces", std::vector<NamespaceView>{});
  v.links = j.value("links", std::vector<PathLink>{});
  v.bpf_programs = j.value("bpf_programs", std::vector<AttachedProgram>{});
}

}  // namespace pktloss

void nlohmann::adl_serializer<std::optional<pktloss::LinkStats>>::to_json(
    json& j, const std::optional<pktloss::LinkStats>& o) {
  if (o)
    j = *o;
  else
    j = json::object();
}
void nlohmann::adl_serializer<std::optional<pktloss::LinkStats>>::from_json(
    const json& j, std::optional<pktloss::LinkStats>& o) {
  if (j.is_null() || (j.is_object() && j.empty()))
    o.reset();
  else
    o = j.get<pktloss::LinkStats>();
}
