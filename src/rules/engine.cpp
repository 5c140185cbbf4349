#include "rules/engine.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/finding_kind.h"
#include "rules/bpf_program_summary.h"
#include "rules/identity.h"
#include "rules/netns_prefix.h"
#include "rules/own_traffic.h"
#include "rules/rule_families.h"

namespace pktloss {

void rank_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.symptom != b.symptom) return !a.symptom;
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.moved_in_window != b.moved_in_window) return a.moved_in_window;
    if (a.volume != b.volume) return a.volume > b.volume;
    return a.confidence > b.confidence;
  });
}

namespace {

// Packet-level evidence confirms what counters and probes found: an MTU black hole seen on the
// wire is evidence for link.mtu_low and for the probe loss it causes, too.
const std::vector<std::string>& confirmed_by(const std::string& packet_id) {
  static const std::map<std::string, std::vector<std::string>> kRelated = {
      {kinds::ip_pmtu_blackhole.id,
       {kinds::ip_pmtu_blackhole.id, kinds::link_mtu_low.id, kinds::application_probe_loss.id}},
      {kinds::transport_retransmits.id,
       {kinds::transport_retransmits.id, kinds::application_probe_loss.id}},
      {kinds::transport_syn_failures.id,
       {kinds::transport_syn_failures.id, kinds::application_probe_loss.id}},
  };
  static const std::vector<std::string> kNone;
  auto it = kRelated.find(packet_id);
  return it == kRelated.end() ? kNone : it->second;
}

void merge_packet_findings(const std::vector<Finding>& packet_findings,
                           std::vector<Finding>& findings) {
  for (const auto& pf : packet_findings) {
    bool same_id_seen = false;
    const auto& related = confirmed_by(pf.id);
    for (auto& f : findings) {
      if (f.id != pf.id && std::find(related.begin(), related.end(), f.id) == related.end())
        continue;
      same_id_seen |= f.id == pf.id;
      f.evidence.insert(f.evidence.end(), pf.evidence.begin(), pf.evidence.end());
      f.confidence = std::min(1.0, std::max(f.confidence, pf.confidence) + 0.05);
    }
    // The cause itself is kept even when it only confirmed related findings.
    if (!same_id_seen) findings.push_back(pf);
  }
}

// Loss seen by probes and TCP is what the causes below it produce. When a cause that drops
// packets was found (a device, qdisc, firewall, routing or socket finding at warning or above),
// those findings are its symptoms; with no such cause they stay causes in their own right.
void mark_symptoms(std::vector<Finding>& findings) {
  static const std::set<std::string> kSymptomIds = {kinds::application_probe_loss.id,
                                                    kinds::transport_retransmits.id,
                                                    kinds::transport_syn_failures.id};
  bool cause_found = false, mtu_cause = false;
  for (const auto& f : findings) {
    if (f.severity < Severity::warning || kSymptomIds.count(f.id) ||
        f.id == kinds::ip_pmtu_blackhole.id)
      continue;
    cause_found = true;
    mtu_cause |= f.id == kinds::link_mtu_low.id;
  }
  for (auto& f : findings)
    f.symptom = (cause_found && kSymptomIds.count(f.id)) ||
                (mtu_cause && f.id == kinds::ip_pmtu_blackhole.id);
}

void add_to_layer(std::map<std::string, LayerSummary>& layers, const Finding& f) {
  auto& s = layers[to_string(f.layer)];
  s.drops += f.volume;
  const LayerStatus status = f.severity == Severity::critical  ? LayerStatus::fault
                             : f.severity == Severity::warning ? LayerStatus::warning
                                                               : LayerStatus::ok;
  s.status = std::max(s.status, status);  // the worst finding decides
}

void summarise_layers(Report& r) {
  for (Layer l : kAllLayers) r.layers[to_string(l)] = LayerSummary{};
  for (const auto& f : r.findings) add_to_layer(r.layers, f);
}

// The namespace a finding is drawn in: where its object lives (a veth peer's low MTU lives in
// the peer's namespace), else the namespace the rule read.
const std::string& finding_netns(const Finding& f) {
  return f.place.netns.empty() ? f.netns : f.place.netns;
}

// How well ns matches a probe target "10.0.0.2:80" / "[fd00::2]:80": 2 a socket bound to that
// address and port, 1 one bound to the port on the wildcard, 0 none (or a target without port).
int listens_for(const NetnsSnapshot& ns, const std::string& target) {
  auto colon = target.rfind(':');
  auto bracket = target.find(']');
  if (colon == std::string::npos || (bracket != std::string::npos && bracket > colon)) return 0;
  std::string host = target.substr(0, colon);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  unsigned long port = std::strtoul(target.c_str() + colon + 1, nullptr, 10);
  int best = 0;
  for (const auto& s : ns.sockets) {
    if (s.local_port != port || (s.proto == "tcp" && s.state != "LISTEN")) continue;
    if (s.local_addr == host) best = 2;
    if (s.local_addr == "0.0.0.0" || s.local_addr == "::" || s.local_addr == "*")
      best = std::max(best, 1);
  }
  return best;
}

// One column per namespace of the snapshot; the probes' source namespaces are "probing", and
// the namespaces where their target listens are "probed".
void summarise_namespaces(const Snapshot& after, const Observations& obs, Report& r) {
  std::set<std::string> probing, targets;
  for (const auto& p : obs.probes) {
    if (!p.source_netns.empty()) probing.insert(p.source_netns);
    if (!p.target.empty()) targets.insert(p.target);
  }
  if (!obs.own_syn_probes_netns.empty()) probing.insert(obs.own_syn_probes_netns);
  for (const auto& ns : after.namespaces) {
    NamespaceView v;
    v.name = ns.name;
    v.netns = ns.id.kind == NetnsKind::host && ns.name != "host" ? NetnsId::parse(ns.name) : ns.id;
    if (!v.netns.inode) v.netns.inode = ns.inode;
    v.role = probing.count(ns.name) ? "probing" : "observed";
    for (Layer l : kAllLayers) v.layers[to_string(l)] = LayerSummary{};
    for (const auto& f : r.findings)
      if (finding_netns(f) == ns.name) add_to_layer(v.layers, f);
    r.namespaces.push_back(std::move(v));
  }
  // The target's namespace: the best match, and only when it is the only one that good (two
  // replicas on 0.0.0.0:80 could each be it: then none is marked).
  for (const auto& t : targets) {
    int best = 0;
    std::vector<size_t> at;
    for (size_t i = 0; i < after.namespaces.size(); ++i) {
      if (probing.count(after.namespaces[i].name)) continue;
      int m = listens_for(after.namespaces[i], t);
      if (m > best) at.clear(), best = m;
      if (m == best && m > 0) at.push_back(i);
    }
    if (at.size() == 1) r.namespaces[at[0]].probed = true;
  }
}

// The links between the namespaces: each veth pair once (seen from both ends), a veth whose
// end is a bridge port as "bridge", and a physical device that is up as "wire".
// Namespace name -> device -> its master's name, for devices that have a master: what a veth's
// far end is plugged into. Built once, so a namespace of 10,000 veths stays linear (a scan of
// the peer namespace per veth was 100 million name comparisons). Same answer as that scan: the
// first namespace of a name that has the device with a master, the last such device in it.
using MasterIndex =
    std::unordered_map<std::string_view, std::unordered_map<std::string_view, std::string_view>>;

MasterIndex master_index(const Snapshot& after) {
  MasterIndex idx;
  for (const auto& o : after.namespaces) {
    std::unordered_map<std::string_view, std::string_view> here;
    for (const auto& l : o.links)
      if (!l.master_name.empty()) here[l.name] = l.master_name;
    if (here.empty()) continue;
    auto& dst = idx[o.name];
    for (const auto& [dev, master] : here) dst.emplace(dev, master);
  }
  return idx;
}

void summarise_links(const Snapshot& after, Report& r) {
  std::set<std::string> seen;  // "ns/dev" of ends already drawn
  auto key = [](const std::string& ns, const std::string& dev) { return ns + "/" + dev; };
  const MasterIndex masters = master_index(after);
  for (const auto& ns : after.namespaces) {
    for (const auto& l : ns.links) {
      if (seen.count(key(ns.name, l.name))) continue;
      PathLink pl;
      pl.a = LinkEnd{ns.name, l.name, l.mtu};
      if (l.kind == "veth") {
        if (l.peer_name.empty()) continue;
        std::string peer_ns = l.link_netnsid < 0 ? ns.name : l.peer_netns;
        pl.b = LinkEnd{peer_ns, l.peer_name, l.peer_mtu};
        if (!l.master_name.empty()) pl.via = l.master_name;
        // The bridge may be on the far end: look the peer up when its namespace was read.
        if (pl.via.empty())
          if (auto n = masters.find(peer_ns); n != masters.end())
            if (auto m = n->second.find(l.peer_name); m != n->second.end())
              pl.via = std::string(m->second);
        pl.kind = pl.via.empty() ? "veth" : "bridge";
        seen.insert(key(pl.b.netns, pl.b.dev));
      } else if (l.kind.empty() && l.name != "lo" && l.admin_up) {
        pl.kind = "wire";
      } else {
        continue;
      }
      seen.insert(key(ns.name, l.name));
      r.links.push_back(std::move(pl));
    }
  }
}

}  // namespace

Report evaluate(const Snapshot* before, const Snapshot& after_raw, const Observations& obs_raw,
                const RuleConfig& cfg) {
  // Fixes name containers by what their snapshot knows (init pid, the image's tools).
  KnownNetns known(after_raw);
  Report r;
  // Rules see the counters and drop rows with our own probe traffic taken out. Only then is
  // the snapshot copied: with a thousand links the copy costs more than the rules.
  std::optional<Snapshot> adjusted_after;
  std::optional<Observations> adjusted_obs;
  if (before && obs_raw.own_syn_acks_reset > 0) {
    adjusted_after = after_raw;
    adjusted_obs = obs_raw;
    for (auto& n :
         discount_own_traffic(*adjusted_obs, *before, *adjusted_after, adjusted_obs->drop_events))
      r.notes.push_back(n);
  }
  const Snapshot& after = adjusted_after ? *adjusted_after : after_raw;
  const Observations& obs = adjusted_obs ? *adjusted_obs : obs_raw;
  r.version = PKTLOSS_VERSION;
  r.host = after.host;
  r.started = before ? before->taken_at : after.taken_at;
  r.window_s = before ? std::max(0.0, after.monotonic_s - before->monotonic_s) : 0.0;
  for (const auto& ns : after.namespaces) {
    if (!r.netns.empty()) r.netns += ",";
    r.netns += ns.name;
  }
  if (before) {
    for (const auto& ns : before->namespaces)
      if (!after.find(ns.inode))
        r.notes.push_back("namespace " + ns.name + " vanished during the window");
  }

  for (const auto& ns : after.namespaces) {
    for (const auto& n : ns.notes) r.notes.push_back(ns.name + ": " + n);
    for (const auto& n : ns.firewall.notes) r.notes.push_back(ns.name + ": " + n);
    const NetnsSnapshot* prev = before ? before->find(ns.inode) : nullptr;
    if (!ns.entered) {
      // Nothing was read: comparing with an empty snapshot would only invent resets.
      if (prev && prev->entered)
        r.notes.push_back("namespace " + ns.name + " vanished during the window");
      continue;
    }
    if (before && !prev) r.notes.push_back("namespace " + ns.name + " appeared during the window");
    if (prev && prev->entered)
      for (const auto& n : identity_notes(*prev, ns)) r.notes.push_back(ns.name + ": " + n);
    RuleInput in{prev, ns, after, before, r.window_s, obs, cfg};
    link_rules(in, r.findings);
    qdisc_rules(in, r.findings);
    tc_filter_rules(in, r.findings);
    netfilter_rules(in, r.findings);
    ip_rules(in, r.findings);
    transport_rules(in, r.findings);
    socket_rules(in, r.findings);
    xdp_rules(in, r.findings);
  }
  application_rules(obs, cfg, r.findings);
  merge_packet_findings(obs.packet_findings, r.findings);
  kernel_drop_rules(obs, r.findings);

  mark_symptoms(r.findings);
  rank_findings(r.findings);
  summarise_layers(r);
  summarise_namespaces(after, obs, r);
  summarise_links(after, r);
  summarise_bpf_programs(before, after, r);
  r.probes = obs.probes;
  r.drop_events = obs.drop_events;
  r.flows = obs.flows;
  for (const auto& n : obs.own_traffic_notes) r.notes.push_back(n);
  return r;
}

}  // namespace pktloss
