// Kernel drop events (eBPF kfree_skb rows) as evidence: a row whose mapped finding id and netns
// match a counter-based finding strengthens it (exact reason, location, device); rows nothing
// explains become kernel.drop_reason findings in the layer the (reason, location) maps to.
#include <map>
#include <tuple>

#include "model/finding_kind.h"
#include "model/json.h"
#include "rules/netns_prefix.h"
#include "rules/rule_families.h"

namespace pktloss {
namespace {

Evidence row_evidence(const DropEventRow& r) {
  Evidence e;
  e.source = "ebpf";
  e.counter = "kernel.drop_reason:" + r.reason;
  e.text = "kfree_skb reason " + r.reason + " at " + r.location;
  if (!r.dev.empty()) e.text += " on " + r.dev;
  if (!r.proto.empty()) e.text += " (" + r.proto + ")";
  if (!r.flow.empty())
    e.text += " flow " + r.flow;
  else if (!r.example.empty())
    e.text += " e.g. " + r.example;
  // Rows are counted from zero at the start of the window: the total is the delta.
  e.before = 0;
  e.after = r.packets;
  e.delta = r.packets;
  e.in_window = r.packets > 0;
  return e;
}

std::string function_of(const std::string& location) {
  auto p = location.find('+');
  return p == std::string::npos ? location : location.substr(0, p);
}

std::vector<std::string> fixes_for(const DropEventRow& r) {
  std::vector<std::string> fix;
  if (r.finding_id == kinds::ip_rp_filter.id && !r.dev.empty()) {
    // The effective value is max(all, dev): both must allow loose mode.
    fix.push_back(command_in_netns(r.netns, {"sysctl", "-w", "net.ipv4.conf.all.rp_filter=2"}));
    fix.push_back(
        command_in_netns(r.netns, {"sysctl", "-w", "net.ipv4.conf." + r.dev + ".rp_filter=2"}));
  } else if (r.finding_id == kinds::netfilter_drop_rule.id) {
    fix.push_back(command_in_netns(r.netns, {"nft", "-a", "list", "ruleset"},
                                   "find the DROP rule, then nft delete rule ... handle N"));
  } else if (r.finding_id == kinds::transport_no_listener.id ||
             r.finding_id == kinds::transport_udp_no_port.id) {
    fix.push_back(command_in_netns(r.netns, {"ss", "-lntup"},
                                   "start the service or point clients at the right port"));
  }
  Argv trace = {"pktloss", "trace"};
  const NetnsId where = KnownNetns::lookup(r.netns);
  if (where.kind == NetnsKind::container)
    trace.insert(trace.end(), {"-c", r.netns});  // -c reads RUNTIME/NAME and pod/NS/POD
  else if (where.kind == NetnsKind::named)
    trace.insert(trace.end(), {"-n", r.netns});
  trace.push_back("--flows");
  fix.push_back(with_note(trace, "which flows hit this drop"));
  return fix;
}

}  // namespace

void kernel_drop_rules(const Observations& obs, Findings& out) {
  if (obs.drop_events.empty()) return;
  const size_t counter_findings = out.size();
  // Unexplained rows grouped by (layer, finding id, netns, reason, function).
  using Key = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  std::map<Key, std::vector<const DropEventRow*>> unexplained;
  for (const auto& r : obs.drop_events) {
    if (r.packets == 0) continue;
    bool matched = false;
    for (size_t i = 0; i < counter_findings; i++) {
      Finding& f = out[i];
      if (f.id != r.finding_id || f.netns != r.netns) continue;
      f.evidence.push_back(row_evidence(r));
      f.moved_in_window = true;
      if (f.volume < r.packets) f.volume = r.packets;
      matched = true;
    }
    if (!matched)
      unexplained[{r.layer, r.finding_id, r.netns, r.reason, function_of(r.location)}].push_back(
          &r);
  }
  for (const auto& [key, rows] : unexplained) {
    const auto& [layer, id, netns, reason, function] = key;
    auto l = layer_from_string(layer);
    if (!l) continue;
    Finding f;
    f.id = kinds::kernel_drop_reason.id;
    f.layer = *l;
    f.netns = netns;
    uint64_t packets = 0;
    std::string devs;
    for (const auto* r : rows) {
      packets += r->packets;
      f.evidence.push_back(row_evidence(*r));
      if (!r->dev.empty() && devs.find(r->dev) == std::string::npos)
        devs += (devs.empty() ? "" : ",") + r->dev;
    }
    f.object = reason + " at " + function + (devs.empty() ? "" : " on " + devs);
    // A reason that names a cause (or a location mapped to a known finding) is a real loss
    // no counter rule explained; a bare NOT_SPECIFIED in an unmapped place is only a hint.
    bool specific = id != kinds::kernel_drop_reason.id || reason != "NOT_SPECIFIED";
    f.severity = specific ? Severity::warning : Severity::info;
    f.confidence = specific ? 0.8 : 0.4;
    f.summary = "kernel dropped " + std::to_string(packets) + " packet" +
                (packets == 1 ? "" : "s") + ": " + reason + " in " + function +
                (id != kinds::kernel_drop_reason.id ? " (" + id + ")" : "");
    f.explanation = rows.front()->explanation;
    f.fix = fixes_for(*rows.front());
    f.moved_in_window = true;
    f.volume = packets;
    out.push_back(std::move(f));
  }
}

}  // namespace pktloss
