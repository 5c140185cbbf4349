#include "probe/probe_plan.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "model/observations.h"

namespace pktloss {

const char* to_string(ProbeKind k) {
  switch (k) {
    case ProbeKind::syn:
      return "syn";
    case ProbeKind::connect:
      return "connect";
    case ProbeKind::http:
      return "http";
    case ProbeKind::udp:
      return "udp";
    case ProbeKind::icmp:
      return "icmp";
    case ProbeKind::mtu:
      return "mtu";
  }
  return "?";
}

const char* result_kind(ProbeKind k) {
  switch (k) {
    case ProbeKind::syn:
      return "tcp-syn";
    case ProbeKind::connect:
      return "tcp-connect";
    case ProbeKind::http:
      return "http";
    case ProbeKind::udp:
      return "udp";
    case ProbeKind::icmp:
      return "icmp";
    case ProbeKind::mtu:
      return "mtu";
  }
  return "?";
}

std::optional<ProbeKind> probe_kind_from_string(const std::string& s) {
  for (ProbeKind k : {ProbeKind::syn, ProbeKind::connect, ProbeKind::http, ProbeKind::udp,
                      ProbeKind::icmp, ProbeKind::mtu})
    if (s == to_string(k) || s == result_kind(k)) return k;
  return std::nullopt;
}

bool should_give_up(const ProbePlan& plan, const ProbeResult& r) {
  if (plan.stop_requested && plan.stop_requested()) return true;
  return plan.give_up_after > 0 && r.received == 0 &&
         r.timeouts >= static_cast<uint64_t>(plan.give_up_after);
}

namespace {

std::optional<uint32_t> parse_uint(const std::string& s, uint32_t max) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

bool printable(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127; });
}

}  // namespace

ResolvedTarget resolve_target(const std::string& spec) {
  if (spec.empty()) throw std::invalid_argument("empty target");
  if (spec.size() > 255 || !printable(spec))
    throw std::invalid_argument("target is not a host name or IPv4 address");
  ResolvedTarget t;
  std::string host = spec;
  auto colon = spec.rfind(':');
  if (colon != std::string::npos) {
    if (spec.find(':') != colon)
      throw std::invalid_argument("IPv6 targets are not supported: " + spec);
    host = spec.substr(0, colon);
    auto port = parse_uint(spec.substr(colon + 1), 65535);
    if (!port || *port == 0) throw std::invalid_argument("bad port in target: " + spec);
    t.port = static_cast<uint16_t>(*port);
  }
  if (host.empty()) throw std::invalid_argument("no host in target: " + spec);
  in_addr a{};
  if (inet_pton(AF_INET, host.c_str(), &a) == 1) {
    t.host = host;
    return t;
  }
  // A name: resolved once, the first IPv4 address is probed.
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || !res)
    throw std::invalid_argument("cannot resolve " + host + ": " + gai_strerror(rc));
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr, buf, sizeof buf);
  freeaddrinfo(res);
  t.host = buf;
  return t;
}

std::vector<uint32_t> parse_sizes(const std::string& spec) {
  std::vector<uint32_t> out;
  if (spec.empty() || spec == "auto") return out;
  size_t pos = 0;
  while (pos <= spec.size()) {
    auto comma = spec.find(',', pos);
    std::string item =
        spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    auto v = parse_uint(item, 65535);
    if (!v || *v < 28)
      throw std::invalid_argument("bad size '" + item + "' (IP datagram bytes, 28..65535)");
    out.push_back(*v);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace pktloss
