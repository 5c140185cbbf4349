#pragma once
// What to probe, how often and for how long. Every probe is bounded in count, rate and time and
// goes only to the one target in the plan.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pktloss {

enum class ProbeKind { syn, connect, http, udp, icmp, mtu };

const char* to_string(ProbeKind k);    // "syn", "connect", ... (CLI spelling)
const char* result_kind(ProbeKind k);  // "tcp-syn", "tcp-connect", ... (ProbeResult.kind)
std::optional<ProbeKind> probe_kind_from_string(const std::string& s);

struct ProbePlan {
  std::string host;  // IPv4 literal (resolve_target() turns names into one)
  uint16_t port = 80;
  std::vector<ProbeKind> kinds = {ProbeKind::syn, ProbeKind::connect, ProbeKind::http,
                                  ProbeKind::mtu};
  int count = 20;        // probes per kind (mtu: probes per tested size is fixed, small)
  int interval_ms = 20;  // between two probes of one kind; 0 = as fast as possible
  std::string http_path = "/";
  // Size sweep: IP datagram sizes in bytes; empty = auto (grow up to the local MTU, then bisect).
  std::vector<uint32_t> sizes;
  int timeout_ms = 1000;       // per probe answer (SYN, UDP, ICMP, connect)
  int http_timeout_ms = 3000;  // whole HTTP exchange
  int straggler_ms = 1000;     // after the last SYN, wait at most this long for late answers
  std::string source_netns;    // label copied into results ("" = current)
  // Sequential kinds (connect, http, udp) stop early when this many probes in a row time out
  // before any is answered: a dead path need not cost count * timeout. 0 = never.
  int give_up_after = 5;
  // Asked between probes (and between kinds): true ends the run early with what was measured so
  // far (an operator's Ctrl-C during diagnose). Unset: never.
  std::function<bool()> stop_requested;
};

struct ProbeResult;
// True when a sequential kind should stop: nothing answered and give_up_after timeouts so far.
bool should_give_up(const ProbePlan& plan, const ProbeResult& r);

// "10.0.0.1", "10.0.0.1:8080", "name:80". Resolves a name once (IPv4 only). Throws
// std::invalid_argument with a one-line message on bad input.
struct ResolvedTarget {
  std::string host;  // dotted IPv4
  std::optional<uint16_t> port;
};
ResolvedTarget resolve_target(const std::string& spec);

// "auto" -> {}; "100,576,1500" -> sizes. Throws std::invalid_argument on bad input.
std::vector<uint32_t> parse_sizes(const std::string& spec);

}  // namespace pktloss
