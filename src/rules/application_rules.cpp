// What a client sees, from the probes: loss per probe kind (with its Wilson interval) and path MTU
// black holes from the size sweep. Pure: reads Observations, appends findings.
#include <cstdio>

#include "model/finding_kind.h"
#include "rules/evidence.h"
#include "rules/rule_families.h"
#include "util/shell_command.h"

namespace pktloss {
namespace {

std::string pct(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", v * 100);
  return b;
}

const ProbeResult* find_kind(const Observations& obs, const std::string& kind) {
  for (const auto& p : obs.probes)
    if (p.kind == kind && p.sent > 0) return &p;
  return nullptr;
}

bool lossy(const ProbeResult& p, const RuleConfig& cfg) {
  return p.sent > 0 && p.loss_ci_low > 0 && p.loss >= cfg.probe_loss_warning;
}

// The handshake gets through (few or no SYN / connect losses) while HTTP exchanges die.
bool handshake_ok(const Observations& obs, const RuleConfig& cfg) {
  const ProbeResult* hs = find_kind(obs, "tcp-syn");
  if (!hs) hs = find_kind(obs, "tcp-connect");
  return hs && hs->received > 0 && !lossy(*hs, cfg);
}

void probe_loss(const ProbeResult& p, const Observations& obs, const RuleConfig& cfg,
                Findings& out) {
  if (p.kind == "mtu" || !lossy(p, cfg)) return;
  // UDP to a closed port is answered only by ICMP port-unreachable, which the target rate-limits
  // (net.ipv4.icmp_ratelimit): silence after such answers is not evidence of loss.
  if (p.kind == "udp" && p.received > 0 && p.errors >= p.received) return;
  const uint64_t lost = p.sent - std::min(p.sent, p.received);
  Finding f;
  f.id = kinds::application_probe_loss.id;
  f.layer = Layer::application;
  f.severity = p.loss >= cfg.probe_loss_critical ? Severity::critical : Severity::warning;
  // The interval says how sure we are: a lower bound well above zero is near certain.
  f.confidence = p.loss_ci_low >= cfg.probe_loss_warning ? 0.9 : 0.7;
  f.netns = p.source_netns;
  f.object = p.kind + " " + p.target;
  f.summary = p.kind + " probes to " + p.target + ": " + std::to_string(lost) + " of " +
              std::to_string(p.sent) + " lost (" + pct(p.loss) + ", 95% CI " + pct(p.loss_ci_low) +
              "-" + pct(p.loss_ci_high) + ")";
  Evidence e = value_evidence("probe", "probe." + p.kind + ".lost", uint64_t{0}, lost, f.summary);
  f.evidence.push_back(e);
  if (!p.detail.empty()) f.evidence.push_back(fact_evidence("probe", p.kind + ": " + p.detail));
  if (p.kind == "http" && handshake_ok(obs, cfg)) {
    f.explanation =
        "handshake passes, data does not: size-dependent loss, check MTU (the SYN probes are "
        "answered, the requests and responses that carry data are not).";
    if (const ProbeResult* m = find_kind(obs, "mtu"); m && m->max_ok_size)
      f.evidence.push_back(fact_evidence(
          "probe", "size sweep: largest datagram answered " + std::to_string(m->max_ok_size) +
                       " bytes" +
                       (m->min_failed_size ? ", smallest lost " + std::to_string(m->min_failed_size)
                                           : std::string())));
  } else if (p.kind == "tcp-syn" || p.kind == "tcp-connect") {
    f.explanation =
        "Connection attempts are lost on the way to or from the target; the layer findings "
        "(firewall rules, qdiscs, device and protocol counters) say where.";
  } else {
    f.explanation = "Probes of this kind were lost or timed out; see the layer findings for where.";
  }
  Argv diag = {"pktloss", "diagnose"};
  if (!p.source_netns.empty() && p.source_netns != "host")
    diag.insert(diag.end(), {"-n", p.source_netns});
  diag.insert(diag.end(), {"--target", p.target, "--capture", "--trace"});
  f.fix.push_back(command_line(diag));
  f.moved_in_window = true;
  f.volume = lost;
  out.push_back(std::move(f));
}

void pmtu_blackhole(const ProbeResult& m, Findings& out) {
  if (m.kind != "mtu" || m.max_ok_size == 0 || m.min_failed_size <= m.max_ok_size ||
      m.frag_needed_seen)
    return;
  Finding f;
  f.id = kinds::ip_pmtu_blackhole.id;
  f.layer = Layer::ip;
  f.severity = Severity::critical;
  f.confidence = 0.85;
  f.netns = m.source_netns;
  f.object = "path to " + m.target;
  f.summary = "datagrams of " + std::to_string(m.min_failed_size) + " bytes and more to " +
              m.target + " vanish, " + std::to_string(m.max_ok_size) +
              " bytes pass, and no ICMP frag-needed comes back";
  f.evidence.push_back(value_evidence("probe", "max_ok_size", std::nullopt, m.max_ok_size,
                                      "largest DF echo answered"));
  f.evidence.push_back(value_evidence("probe", "min_failed_size", std::nullopt, m.min_failed_size,
                                      "smallest DF echo never answered"));
  if (m.local_mtu)
    f.evidence.push_back(fact_evidence(
        "rtnetlink", "local " + m.local_ifname + " mtu " + std::to_string(m.local_mtu) +
                         (m.route_mtu ? ", route mtu " + std::to_string(m.route_mtu) : "")));
  f.evidence.push_back(fact_evidence("probe", "no ICMP frag-needed came back for the lost sizes"));
  // The sizes were measured during this run, not read from a lifetime counter.
  for (auto& e : f.evidence) e.in_window = !e.counter.empty();
  f.explanation =
      "Some hop on the path carries at most " + std::to_string(m.max_ok_size) +
      "-byte packets and drops larger ones silently (a low MTU on a device, with ICMP "
      "frag-needed not sent or filtered), so path MTU discovery cannot work: small packets and "
      "TCP handshakes pass, full-size data segments never arrive.";
  // Client-side work-around that is right whatever the route looks like: TCP segments small
  // enough for the hop. The real fix is on the hop (its MTU, or letting frag-needed through).
  std::string host = m.target.substr(0, m.target.find(':'));
  if (m.max_ok_size > 40)
    f.fix.push_back(command_line({"iptables", "-t", "mangle", "-A", "POSTROUTING", "-p", "tcp",
                                  "--tcp-flags", "SYN,RST", "SYN", "-d", host, "-j", "TCPMSS",
                                  "--set-mss", std::to_string(m.max_ok_size - 40)}));
  f.moved_in_window = true;
  f.volume = 1;
  out.push_back(std::move(f));
}

}  // namespace

void application_rules(const Observations& obs, const RuleConfig& cfg, Findings& out) {
  for (const auto& p : obs.probes) {
    probe_loss(p, obs, cfg, out);
    pmtu_blackhole(p, out);
  }
}

}  // namespace pktloss
