#include "render/metrics_renderer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <utility>

namespace pktloss {
namespace {

enum class Type { counter, gauge };
enum class Combine { sum, max };

struct Family {
  std::string help;
  Type type = Type::gauge;
  size_t limit = 0;
  std::map<std::string, double> series;  // rendered label set -> value
};

using Labels = std::vector<std::pair<const char*, std::string>>;

// Collects samples by family (so HELP/TYPE are printed once and samples stay together), merges
// duplicate label sets (two sockets on one address), and applies the per-family limit.
class Builder {
 public:
  explicit Builder(const MetricsLimits& lim) : lim_(lim) {}

  void add(const std::string& name, Type type, const char* help, const Labels& labels, double value,
           Combine combine = Combine::sum, size_t limit = 0) {
    Family& f = families_[name];
    if (f.help.empty()) {
      f.help = help;
      f.type = type;
      f.limit = limit ? limit : lim_.max_series_per_family;
    }
    std::string ls;
    for (const auto& [k, v] : labels) {
      ls += ls.empty() ? "{" : ",";
      ls += k;
      ls += "=\"";
      ls += escape_label_value(sanitize_label_text(v, lim_.max_label_bytes));
      ls += '"';
    }
    if (!ls.empty()) ls += '}';
    auto [it, inserted] = f.series.emplace(ls, value);
    if (!inserted)
      it->second = combine == Combine::sum ? it->second + value : std::max(it->second, value);
  }

  MetricsOutput render(MetricsFormat fmt, std::map<std::string, uint64_t> dropped) {
    // The cut first, so pktloss_series_dropped_total is part of the same exposition.
    std::map<std::string, std::vector<std::pair<std::string, double>>> kept;
    for (auto& [name, f] : families_) {
      std::vector<std::pair<std::string, double>> v(f.series.begin(), f.series.end());
      if (v.size() > f.limit) {
        std::stable_sort(v.begin(), v.end(),
                         [](const auto& a, const auto& b) { return a.second > b.second; });
        dropped[name] += v.size() - f.limit;
        v.resize(f.limit);
        std::sort(v.begin(), v.end());
      }
      kept[name] = std::move(v);
    }
    for (const auto& [name, n] : dropped)
      add_raw("pktloss_series_dropped", Type::counter,
              "Series left out of the exposition by the per-family cardinality limit",
              "{family=\"" + escape_label_value(name) + "\"}", static_cast<double>(n), kept);
    MetricsOutput out;
    out.series_dropped = std::move(dropped);
    std::string& s = out.text;
    for (const auto& [name, series] : kept) {
      const Family& f = families_.at(name);
      const bool counter = f.type == Type::counter;
      // Prometheus 0.0.4 names the counter family with _total, OpenMetrics without.
      const std::string family_name =
          counter && fmt == MetricsFormat::prometheus ? name + "_total" : name;
      const std::string sample_name = counter ? name + "_total" : name;
      s += "# HELP " + family_name + " " + escape_help(f.help, fmt) + "\n";
      s += "# TYPE " + family_name + (counter ? " counter\n" : " gauge\n");
      for (const auto& [labels, value] : series) {
        s += sample_name;
        s += labels;
        s += ' ';
        s += fmt::format("{}", value);
        s += '\n';
        ++out.series;
      }
    }
    return out;
  }

 private:
  void add_raw(const std::string& name, Type type, const char* help, const std::string& labels,
               double value,
               std::map<std::string, std::vector<std::pair<std::string, double>>>& kept) {
    Family& f = families_[name];
    f.help = help;
    f.type = type;
    kept[name].emplace_back(labels, value);
  }

  const MetricsLimits& lim_;
  std::map<std::string, Family> families_;
};

std::string tc_handle(uint32_t h) {
  if (h == 0xFFFFFFFFu) return "root";
  if (h == 0xFFFFFFF1u) return "ingress";
  uint32_t maj = h >> 16, min = h & 0xFFFF;
  return min ? fmt::format("{:x}:{:x}", maj, min) : fmt::format("{:x}:", maj);
}

std::string owner_comm(const Socket& s) {
  return s.owners.empty() ? "" : s.owners.front().comm;
}
std::string owner_pid(const Socket& s) {
  return s.owners.empty() ? "" : std::to_string(s.owners.front().pid);
}
std::string endpoint(const std::string& addr, uint16_t port) {
  return addr.find(':') != std::string::npos ? fmt::format("[{}]:{}", addr, port)
                                             : fmt::format("{}:{}", addr, port);
}

// The /proc/net/snmp, netstat and snmp6 counters the rules read (and their close relatives).
constexpr const char* kSnmpCounters[] = {
    "Ip.InDiscards",
    "Ip.InHdrErrors",
    "Ip.InAddrErrors",
    "Ip.OutDiscards",
    "Ip.OutNoRoutes",
    "Ip.ReasmFails",
    "Ip.ReasmReqds",
    "Ip.ReasmTimeout",
    "Ip.FragFails",
    "IpExt.InNoRoutes",
    "IpExt.InTruncatedPkts",
    "IpExt.InCsumErrors",
    "IpExt.ReasmOverlaps",
    "Ip6.InDiscards",
    "Ip6.InNoRoutes",
    "Ip6.OutNoRoutes",
    "Ip6.OutDiscards",
    "Ip6.InHdrErrors",
    "Ip6.InAddrErrors",
    "Ip6.InTooBigErrors",
    "Ip6.ReasmFails",
    "Ip6.ReasmReqds",
    "Ip6.ReasmTimeout",
    "Icmp.InErrors",
    "Icmp.OutDestUnreachs",
    "Icmp6.InErrors",
    "Icmp6.OutDestUnreachs",
    "Tcp.InSegs",
    "Tcp.OutSegs",
    "Tcp.RetransSegs",
    "Tcp.AttemptFails",
    "Tcp.EstabResets",
    "Tcp.OutRsts",
    "Tcp.InErrs",
    "Tcp.InCsumErrors",
    "TcpExt.ListenDrops",
    "TcpExt.ListenOverflows",
    "TcpExt.SyncookiesSent",
    "TcpExt.EmbryonicRsts",
    "TcpExt.IPReversePathFilter",
    "TcpExt.TCPAbortOnClose",
    "TcpExt.TCPAbortOnData",
    "TcpExt.TCPAbortOnLinger",
    "TcpExt.TCPAbortOnMemory",
    "TcpExt.TCPBacklogDrop",
    "TcpExt.TCPLossProbes",
    "TcpExt.TCPLostRetransmit",
    "TcpExt.TCPRcvQDrop",
    "TcpExt.TCPReqQFullDoCookies",
    "TcpExt.TCPReqQFullDrop",
    "TcpExt.TCPSynRetrans",
    "TcpExt.TCPTimeouts",
    "TcpExt.PAWSEstab",
    "TcpExt.TCPMinTTLDrop",
    "Udp.InDatagrams",
    "Udp.InErrors",
    "Udp.NoPorts",
    "Udp.RcvbufErrors",
    "Udp.SndbufErrors",
    "Udp.MemErrors",
    "Udp.InCsumErrors",
    "Udp6.InDatagrams",
    "Udp6.InErrors",
    "Udp6.NoPorts",
    "Udp6.RcvbufErrors",
    "Udp6.SndbufErrors",
    "Udp6.MemErrors",
    "UdpLite.RcvbufErrors",
};

// /proc/net/stat/nf_conntrack columns that count drops or trouble (others are gauges or noise).
constexpr const char* kConntrackStats[] = {"drop",          "early_drop",  "insert_failed",
                                           "invalid",       "icmp_error",  "search_restart",
                                           "clash_resolve", "chaintoolong"};

// What lives in each namespace, as an info metric (value 1) to join on `netns`: every other
// series keeps the one `netns` label (the name the report uses: "docker/web", "pod/shop/web-1",
// a /run/netns name, "pid:N", "host"), so adding a container's labels costs no cardinality.
void add_netns_info(Builder& b, const NetnsSnapshot& ns) {
  const NetnsId id =
      ns.id.kind == NetnsKind::host && ns.name != "host" ? NetnsId::parse(ns.name) : ns.id;
  const ContainerRef& c = id.container;
  b.add("pktloss_netns_info", Type::gauge,
        "What lives in a network namespace: container and runtime, Kubernetes pod, or a process",
        {{"netns", ns.name},
         {"kind", id.kind_name()},
         {"runtime", c.runtime},
         {"container", c.name},
         {"container_id", c.id.substr(0, 12)},
         {"pod", c.pod},
         {"pod_namespace", c.pod_namespace},
         {"pid", id.pid > 0 ? std::to_string(id.pid) : ""},
         {"comm", id.comm}},
        1);
}

void add_links(Builder& b, const NetnsSnapshot& ns) {
  for (const auto& l : ns.links)
    for (const auto& f : kLinkStatFields)
      b.add("pktloss_link_" + metric_name_part(std::string(f.name)), Type::counter,
            "Interface counter (rtnl_link_stats64 field of the same name)",
            {{"netns", ns.name}, {"device", l.name}}, static_cast<double>(l.stats.*f.member));
}

void add_qdiscs(Builder& b, const NetnsSnapshot& ns) {
  for (const auto& q : ns.qdiscs) {
    Labels lb = {{"netns", ns.name},
                 {"device", q.dev},
                 {"kind", q.kind},
                 {"handle", tc_handle(q.handle)},
                 {"parent", tc_handle(q.parent)}};
    const auto& s = q.stats;
    b.add("pktloss_qdisc_drops", Type::counter, "Packets the qdisc dropped", lb, s.drops);
    b.add("pktloss_qdisc_overlimits", Type::counter, "Times the qdisc was over its limit", lb,
          s.overlimits);
    b.add("pktloss_qdisc_requeues", Type::counter, "Packets the qdisc requeued", lb, s.requeues);
    b.add("pktloss_qdisc_sent_packets", Type::counter, "Packets the qdisc sent", lb, s.packets);
    b.add("pktloss_qdisc_backlog_bytes", Type::gauge, "Bytes queued in the qdisc", lb,
          s.backlog_bytes);
    b.add("pktloss_qdisc_backlog_packets", Type::gauge, "Packets queued in the qdisc", lb, s.qlen);
  }
}

// Where a filter hangs, as `tc filter show dev X <here>` takes it.
std::string filter_hook(uint32_t parent) {
  if (parent == 0xFFFFFFF2u || parent == 0xFFFF0000u) return "ingress";
  if (parent == 0xFFFFFFF3u) return "egress";
  return tc_handle(parent);
}

void add_tc_filters(Builder& b, const NetnsSnapshot& ns) {
  for (const auto& f : ns.tc_filters)
    for (const auto& a : f.actions) {
      Labels lb = {{"netns", ns.name},
                   {"device", f.dev},
                   {"hook", filter_hook(f.parent)},
                   {"filter", f.kind},
                   {"prio", std::to_string(f.prio)},
                   {"action", a.kind},
                   {"index", std::to_string(a.index)}};
      b.add("pktloss_tc_action_drops", Type::counter,
            "Packets a tc filter's action dropped (gact drop, police over its rate)", lb,
            static_cast<double>(a.drops));
      b.add("pktloss_tc_action_overlimits", Type::counter,
            "Packets over a tc action's limit (police: over its rate and burst)", lb,
            static_cast<double>(a.overlimits));
      b.add("pktloss_tc_action_packets", Type::counter, "Packets a tc filter's action saw", lb,
            static_cast<double>(a.packets));
    }
}

void add_firewall(Builder& b, const NetnsSnapshot& ns) {
  for (const auto& r : ns.firewall.rules) {
    if (!r.has_counter || (r.verdict != "drop" && r.verdict != "reject")) continue;
    Labels lb = {{"netns", ns.name},     {"backend", r.backend},
                 {"family", r.family},   {"table", r.table},
                 {"chain", r.chain},     {"handle", std::to_string(r.handle)},
                 {"verdict", r.verdict}, {"rule", r.text}};
    b.add("pktloss_netfilter_rule_packets", Type::counter,
          "Packets matched by a DROP or REJECT netfilter rule", lb, r.packets);
    b.add("pktloss_netfilter_rule_bytes", Type::counter,
          "Bytes matched by a DROP or REJECT netfilter rule", lb, r.bytes);
  }
  for (const auto& c : ns.firewall.chains) {
    if (!c.has_counter || c.policy != "drop") continue;
    b.add("pktloss_netfilter_policy_drop_packets", Type::counter,
          "Packets dropped by a base chain's DROP policy",
          {{"netns", ns.name},
           {"backend", c.backend},
           {"family", c.family},
           {"table", c.table},
           {"chain", c.chain}},
          c.policy_packets);
  }
}

void add_conntrack(Builder& b, const NetnsSnapshot& ns) {
  const auto& ct = ns.conntrack;
  if (!ct.available) return;
  Labels lb = {{"netns", ns.name}};
  b.add("pktloss_conntrack_entries", Type::gauge, "Conntrack entries in this namespace", lb,
        ct.count);
  b.add("pktloss_conntrack_entries_limit", Type::gauge, "nf_conntrack_max (host-wide)", lb, ct.max);
  for (const char* k : kConntrackStats) {
    auto it = ct.stats.find(k);
    if (it == ct.stats.end()) continue;
    b.add(std::string("pktloss_conntrack_") + k, Type::counter,
          "Conntrack statistic of the same name (/proc/net/stat/nf_conntrack, all CPUs)", lb,
          it->second);
  }
}

void add_snmp(Builder& b, const NetnsSnapshot& ns) {
  for (const char* k : kSnmpCounters) {
    auto it = ns.snmp.find(k);
    if (it == ns.snmp.end()) continue;
    b.add("pktloss_netstat_" + metric_name_part(k), Type::counter,
          "Protocol counter of the same name (/proc/net/snmp, netstat, snmp6)",
          {{"netns", ns.name}}, it->second);
  }
}

void add_sockets(Builder& b, const NetnsSnapshot& ns, size_t limit) {
  for (const auto& s : ns.sockets) {
    if (s.proto == "tcp" && s.state == "LISTEN") {
      Labels lb = {{"netns", ns.name},
                   {"proto", s.proto},
                   {"local", endpoint(s.local_addr, s.local_port)},
                   {"process", owner_comm(s)},
                   {"pid", owner_pid(s)}};
      b.add("pktloss_socket_accept_queue_length", Type::gauge,
            "Connections waiting in a listener's accept queue", lb, s.rqueue, Combine::sum, limit);
      b.add("pktloss_socket_accept_queue_limit", Type::gauge, "A listener's backlog", lb, s.wqueue,
            Combine::max, limit);
    }
    if (s.drops == 0) continue;
    b.add("pktloss_socket_drops", Type::counter,
          "Packets a socket dropped (SK_MEMINFO_DROPS: receive buffer full, backlog)",
          {{"netns", ns.name},
           {"proto", s.proto},
           {"local", endpoint(s.local_addr, s.local_port)},
           {"remote", endpoint(s.remote_addr, s.remote_port)},
           {"process", owner_comm(s)},
           {"pid", owner_pid(s)}},
          s.drops, Combine::sum, limit);
  }
}

void add_softnet(Builder& b, const Snapshot& snap) {
  // softnet_stat is host-wide: every namespace reads the same numbers, so print them once.
  for (const auto& ns : snap.namespaces) {
    if (ns.softnet.empty()) continue;
    for (const auto& c : ns.softnet) {
      Labels lb = {{"cpu", std::to_string(c.cpu)}};
      b.add("pktloss_softnet_processed", Type::counter, "Packets processed by the CPU's backlog",
            lb, c.processed);
      b.add("pktloss_softnet_dropped", Type::counter,
            "Packets dropped because the CPU's backlog was full (netdev_max_backlog)", lb,
            c.dropped);
      b.add("pktloss_softnet_times_squeezed", Type::counter,
            "Times net_rx_action ran out of budget with work left", lb, c.time_squeeze);
      b.add("pktloss_softnet_flow_limit", Type::counter, "Packets dropped by the flow limit", lb,
            c.flow_limit_count);
    }
    return;
  }
}

void add_kernel_drops(Builder& b, const std::vector<DropEventRow>& rows) {
  for (const auto& r : rows) {
    Labels lb = {{"netns", r.netns}, {"device", r.dev}, {"reason", r.reason}, {"layer", r.layer}};
    b.add("pktloss_kernel_drops", Type::counter,
          "Packets the kernel freed as dropped (kfree_skb with a drop reason, eBPF)", lb,
          r.packets);
    b.add("pktloss_kernel_drop_bytes", Type::counter, "Bytes of the packets the kernel dropped", lb,
          r.bytes);
  }
}

void add_report(Builder& b, const Report& r) {
  for (const auto& f : r.findings)
    b.add("pktloss_finding", Type::gauge,
          "An active finding over the rolling window (same rules as check -i)",
          {{"id", f.id},
           {"layer", to_string(f.layer)},
           {"severity", to_string(f.severity)},
           {"netns", f.netns},
           {"object", f.object}},
          1, Combine::max);
  for (Severity s : {Severity::info, Severity::warning, Severity::critical}) {
    double n = 0;
    for (const auto& f : r.findings) n += f.severity == s;
    b.add("pktloss_findings", Type::gauge, "Active findings by severity",
          {{"severity", to_string(s)}}, n);
  }
  for (const auto& [layer, sum] : r.layers)
    b.add("pktloss_window_layer_drops", Type::gauge,
          "Packets the findings attribute to a layer over the rolling window", {{"layer", layer}},
          static_cast<double>(sum.drops));
  b.add("pktloss_window_seconds", Type::gauge,
        "Length of the window the findings were evaluated over", {}, r.window_s);
}

void add_self(Builder& b, const MetricsSelf& s) {
  b.add("pktloss_build_info", Type::gauge, "pktloss build", {{"version", s.version}}, 1);
  for (const auto& [c, up] : s.collector_up)
    b.add("pktloss_collector_up", Type::gauge,
          "1 when the collector succeeded in every namespace in the last collection",
          {{"collector", c}}, up ? 1 : 0);
  for (const auto& [ns, up] : s.netns_up)
    b.add("pktloss_netns_up", Type::gauge, "1 when the namespace could be entered and read",
          {{"netns", ns}}, up ? 1 : 0);
  b.add("pktloss_collect_duration_seconds", Type::gauge,
        "Wall time of the last collection and evaluation", {}, s.collect_duration_s);
  b.add("pktloss_collect_cpu_seconds", Type::gauge, "CPU time the last collection used", {},
        s.collect_cpu_s);
  b.add("pktloss_last_collect_timestamp_seconds", Type::gauge,
        "Unix time the last collection was published", {}, s.last_collect_unix_s);
  // A one-shot `check --prometheus` has no schedule of its own (cron or a timer runs it).
  if (s.interval_s > 0) {
    b.add("pktloss_collections", Type::counter, "Collections since start", {},
          static_cast<double>(s.collections));
    b.add("pktloss_collect_interval_seconds", Type::gauge, "Configured collection interval", {},
          s.interval_s);
    b.add("pktloss_window_config_seconds", Type::gauge, "Configured rolling window", {},
          s.window_s);
  }
  if (s.tracer_available) {
    b.add("pktloss_trace_map_full", Type::counter,
          "Kernel drops not counted because the tracer's map was full", {},
          static_cast<double>(s.trace_stats.map_full));
    b.add("pktloss_trace_recursion_misses", Type::counter,
          "Tracer invocations the kernel skipped (nested on a CPU)", {},
          static_cast<double>(s.trace_stats.recursion_misses));
  }
}

size_t utf8_len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0 && c >= 0xC2) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0 && c <= 0xF4) return 4;
  return 0;
}

}  // namespace

std::string sanitize_label_text(const std::string& v, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(v.size(), max_bytes));
  for (size_t i = 0; i < v.size();) {
    auto c = static_cast<unsigned char>(v[i]);
    size_t n = utf8_len(c);
    bool ok = n > 0 && i + n <= v.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(v[i + k]) & 0xC0) == 0x80;
    if (ok && n == 3) {
      // No overlong forms and no UTF-16 surrogates.
      auto c1 = static_cast<unsigned char>(v[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (ok && n == 4) {
      auto c1 = static_cast<unsigned char>(v[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (!ok) n = 1;
    if (out.size() + (ok ? n : 1) > max_bytes) break;
    if (ok)
      out.append(v, i, n);
    else
      out += '?';
    i += n;
  }
  return out;
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(const std::string& v, MetricsFormat format) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && format == MetricsFormat::openmetrics)
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

std::string metric_name_part(const std::string& v) {
  std::string out;
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    char m = std::isalnum(u) && u < 0x80 ? static_cast<char>(std::tolower(u)) : '_';
    if (m == '_' && (out.empty() || out.back() == '_')) continue;
    out += m;
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "unnamed" : out;
}

MetricsOutput render_metrics(const MetricsInput& in, MetricsFormat format) {
  Builder b(in.limits);
  if (in.snapshot) {
    for (const auto& ns : in.snapshot->namespaces) {
      if (!ns.entered) continue;
      add_netns_info(b, ns);
      add_links(b, ns);
      add_qdiscs(b, ns);
      add_tc_filters(b, ns);
      add_firewall(b, ns);
      add_conntrack(b, ns);
      add_snmp(b, ns);
      add_sockets(b, ns, in.limits.max_sockets);
    }
    add_softnet(b, *in.snapshot);
  }
  if (in.drop_totals) add_kernel_drops(b, *in.drop_totals);
  if (in.report) add_report(b, *in.report);
  add_self(b, in.self);
  return b.render(format, in.series_dropped_before);
}

std::string render_http_self(const HttpSelfStats& s, MetricsFormat format) {
  const bool om = format == MetricsFormat::openmetrics;
  std::string out;
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    std::string fam = om ? name : std::string(name) + "_total";
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{}_total {}\n", fam, help, fam, name, v);
  };
  counter("pktloss_http_requests", "HTTP requests answered", s.requests);
  counter("pktloss_http_connections_rejected",
          "Connections closed at once because the connection limit was reached",
          s.connections_rejected);
  counter("pktloss_http_connections_evicted", "Slow connections closed to make room for a new one",
          s.connections_evicted);
  counter("pktloss_http_request_timeouts",
          "Connections closed because the request did not arrive in time", s.requests_timed_out);
  out += fmt::format(
      "# HELP pktloss_scrape_duration_seconds Time the previous /metrics answer took to "
      "assemble\n# TYPE pktloss_scrape_duration_seconds gauge\n"
      "pktloss_scrape_duration_seconds {}\n",
      s.last_scrape_render_s);
  return out;
}

std::string metrics_trailer(MetricsFormat format) {
  return format == MetricsFormat::openmetrics ? "# EOF\n" : "";
}

std::string metrics_content_type(MetricsFormat format) {
  return format == MetricsFormat::openmetrics
             ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
             : "text/plain; version=0.0.4; charset=utf-8";
}

MetricsFormat negotiate_metrics_format(const std::string& accept) {
  std::string a;
  for (char c : accept) a += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return a.find("application/openmetrics-text") != std::string::npos ? MetricsFormat::openmetrics
                                                                     : MetricsFormat::prometheus;
}

}  // namespace pktloss
