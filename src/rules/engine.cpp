#include "rules/engine.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "model/finding_kind.h"
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

void summarise_layers(Report& r) {
  for (Layer l : kAllLayers) r.layers[to_string(l)] = LayerSummary{};
  for (const auto& f : r.findings) {
    auto& s = r.layers[to_string(f.layer)];
    s.drops += f.volume;
    const char* status = f.severity == Severity::critical  ? "fault"
                         : f.severity == Severity::warning ? "warning"
                                                           : "ok";
    if (s.status == "ok" || (s.status == "warning" && std::string(status) == "fault"))
      s.status = status;
  }
}

}  // namespace

Report evaluate(const Snapshot* before, const Snapshot& after_raw, const Observations& obs_raw,
                const RuleConfig& cfg) {
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
    RuleInput in{prev, ns, after, before, r.window_s, obs, cfg};
    link_rules(in, r.findings);
    qdisc_rules(in, r.findings);
    netfilter_rules(in, r.findings);
    ip_rules(in, r.findings);
    transport_rules(in, r.findings);
    socket_rules(in, r.findings);
  }
  application_rules(obs, cfg, r.findings);
  merge_packet_findings(obs.packet_findings, r.findings);
  kernel_drop_rules(obs, r.findings);

  mark_symptoms(r.findings);
  rank_findings(r.findings);
  summarise_layers(r);
  r.probes = obs.probes;
  r.drop_events = obs.drop_events;
  r.flows = obs.flows;
  for (const auto& n : obs.own_traffic_notes) r.notes.push_back(n);
  return r;
}

}  // namespace pktloss
