// libFuzzer target: what `pktloss serve` does with a request, after cpp-httplib parsed it (the
// parsing itself is cpp-httplib's): the exporter's routing and Accept negotiation, the metrics it
// renders from untrusted strings (interface names, rule text, netns names, drop locations end up
// as label values), and the --listen parser. The exposition must stay well-formed whatever the
// labels hold: every sample line is `name{label="escaped",...} value`.
// Input: path NUL accept NUL label-text NUL listen-spec (missing parts are empty).
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz/fuzz_entry.h"
#include "serve/exporter.h"
#include "serve/http_server.h"

using namespace pktloss;

namespace {

bool name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

// One sample line of the Prometheus / OpenMetrics text format.
bool well_formed_sample(const std::string& l) {
  size_t i = 0;
  while (i < l.size() && name_char(l[i], i == 0)) ++i;
  if (i == 0) return false;
  if (i < l.size() && l[i] == '{') {
    ++i;
    while (i < l.size() && l[i] != '}') {
      size_t s = i;
      while (i < l.size() && name_char(l[i], i == s)) ++i;
      if (i == s || i + 1 >= l.size() || l[i] != '=' || l[i + 1] != '"') return false;
      for (i += 2; i < l.size() && l[i] != '"'; ++i)
        if (l[i] == '\\') {
          if (i + 1 >= l.size() || (l[i + 1] != '\\' && l[i + 1] != '"' && l[i + 1] != 'n'))
            return false;
          ++i;
        }
      if (i >= l.size()) return false;
      ++i;
      if (i < l.size() && l[i] == ',') ++i;
    }
    if (i >= l.size()) return false;
    ++i;
  }
  return i < l.size() && l[i] == ' ' && i + 1 < l.size();
}

void check_exposition(const std::string& body) {
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) __builtin_trap();  // every line ends with a newline
    std::string line = body.substr(start, end - start);
    if (!line.empty() && line[0] != '#' && !well_formed_sample(line)) __builtin_trap();
    start = end + 1;
  }
}

std::vector<std::string> split_nul(const uint8_t* data, size_t size, size_t parts) {
  std::vector<std::string> out(parts);
  size_t k = 0;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0 && k + 1 < parts) {
      ++k;
      continue;
    }
    out[k] += static_cast<char>(data[i]);
  }
  return out;
}

}  // namespace

PKTLOSS_FUZZ_TARGET(fuzz_serve_request) {
  auto p = split_nul(data, size, 4);
  const std::string &path = p[0], &accept = p[1], &label = p[2], &listen = p[3];
  MetricsLimits limits;
  limits.max_series_per_family = 50;
  Exporter exporter(5, limits);
  if (!label.empty()) {
    auto st = std::make_shared<MonitorState>();
    st->generation = 1;
    st->collections = 1;
    st->interval_s = 5;
    st->collected_unix_s = 1e12;  // far in the future: always fresh
    Finding f;
    f.id = "netfilter.drop_rule";
    f.layer = Layer::netfilter;
    f.severity = Severity::critical;
    f.netns = label;
    f.object = label;
    f.summary = label;
    st->report.findings.push_back(f);
    DropEventRow row;
    row.netns = label;
    row.dev = label;
    row.reason = label;
    row.location = label;
    row.layer = "netfilter";
    row.finding_id = f.id;
    row.packets = 3;
    st->drop_totals.push_back(row);
    st->collector_up[label] = true;
    st->netns_up[label] = false;
    exporter.publish(st);
  }
  HttpReply r = exporter.handle(path, accept, nullptr);
  if (r.status == 200 && r.content_type.find("text/html") == std::string::npos)
    check_exposition(r.body);
  std::string host;
  int port = 0;
  try {
    parse_listen_address(listen, host, port);
    if (port < 0 || port > 65535) __builtin_trap();
    (void)is_loopback_host(host);
  } catch (const std::invalid_argument&) {
    // a clear one-line usage error for the user
  }
  return 0;
}
