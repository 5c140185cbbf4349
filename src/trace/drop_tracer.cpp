#include "trace/drop_tracer.h"
#include "trace/libbpf_lazy.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "model/benign_drop_reasons.h"
#include "netns/netns.h"
#include "trace/drop_reasons.h"
#include "trace/kallsyms.h"
#include "trace/kernel_btf.h"
#include "trace/kfree_skb_shape.h"
#include "trace/link_names.h"

extern "C" {
#include "drop_tracer.skel.h"
#include "trace/bpf/drop_event.h"
}

namespace pktloss {
namespace {

// libbpf prints to stderr by default; keep its last message for the "unavailable" note instead.
thread_local std::string g_libbpf_last;
int libbpf_print(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[512];
  int n = std::vsnprintf(buf, sizeof(buf), fmt, args);
  std::string s(buf);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (!s.empty()) g_libbpf_last = s;
  return n;
}

bool key_less(const drop_key& a, const drop_key& b) {
  return std::memcmp(&a, &b, sizeof(a)) < 0;
}
struct KeyLess {
  bool operator()(const drop_key& a, const drop_key& b) const { return key_less(a, b); }
};
struct ShortLess {
  bool operator()(const drop_key_short& a, const drop_key_short& b) const {
    return std::memcmp(&a, &b, sizeof(a)) < 0;
  }
};

std::string addr_string(int family, const __u8* a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf));
  return buf;
}

std::string flow_string(const drop_key& k) {
  if (k.family != 4 && k.family != 6) return "";
  bool ports = k.l4proto == IPPROTO_TCP || k.l4proto == IPPROTO_UDP;
  auto ep = [&](const __u8* a, uint16_t port) {
    std::string s = addr_string(k.family, a);
    if (k.family == 6 && ports) s = "[" + s + "]";
    return ports ? s + ":" + std::to_string(port) : s;
  };
  return ep(k.saddr, k.sport) + " -> " + ep(k.daddr, k.dport);
}

// Signature of the tp_btf kfree_skb tracepoint: the number of arguments after the context.
int running_kfree_skb_btf_args() {
  struct btf* btf = load_kernel_btf();
  int n = kfree_skb_btf_args(btf);
  if (btf) btf__free(btf);
  return n;
}

// The classic tracepoint's format, for a kernel whose BTF does not describe tp_btf kfree_skb.
std::optional<bool> running_format_has_reason() {
  for (const char* p : {"/sys/kernel/tracing/events/skb/kfree_skb/format",
                        "/sys/kernel/debug/tracing/events/skb/kfree_skb/format"}) {
    std::ifstream f(p);
    if (!f) continue;
    std::stringstream ss;
    ss << f.rdbuf();
    if (auto r = kfree_skb_format_has_reason(ss.str())) return r;
  }
  return std::nullopt;
}

bool kernel_has_func(const char* name) {
  struct btf* btf = load_kernel_btf();
  if (!btf) return false;
  bool found = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
  btf__free(btf);
  return found;
}

bool kernel_has_typedef(const char* name) {
  struct btf* btf = load_kernel_btf();
  if (!btf) return false;
  bool found = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
  btf__free(btf);
  return found;
}

// The name of an xdp:xdp_exception row's action (the XDP_* verdict the frame failed with).
std::string xdp_exception_name(uint32_t act) {
  switch (act) {
    case 0:
      return "XDP_ABORTED";
    case 3:
      return "XDP_TX_FAILED";
    case 4:
      return "XDP_REDIRECT_FAILED";
    default:
      return "XDP_INVALID_ACTION_" + std::to_string(act);
  }
}

std::string lockdown_state() {
  std::ifstream f("/sys/kernel/security/lockdown");
  std::string s;
  std::getline(f, s);
  auto a = s.find('['), b = s.find(']');
  return a != std::string::npos && b != std::string::npos ? s.substr(a + 1, b - a - 1) : "";
}

}  // namespace

std::string ip_proto_name(int l3proto, int l4proto) {
  switch (l4proto) {
    case IPPROTO_TCP:
      return "tcp";
    case IPPROTO_UDP:
      return "udp";
    case IPPROTO_ICMP:
      return "icmp";
    case IPPROTO_ICMPV6:
      return "icmp6";
    case 0:
      if (l3proto == 0x0806) return "arp";
      if (l3proto == 0x0800) return "ip";
      if (l3proto == 0x86DD) return "ip6";
      return l3proto ? "eth:0x" +
                           [&] {
                             char b[8];
                             std::snprintf(b, sizeof(b), "%04x", l3proto);
                             return std::string(b);
                           }()
                     : "";
    default:
      return "ip:" + std::to_string(l4proto);
  }
}

struct DropTracer::Impl {
  drop_tracer_bpf* skel = nullptr;
  ring_buffer* ring = nullptr;
  bool running = false;
  std::string unavailable;
  TraceFilters filters;
  std::vector<uint64_t> kernel_ns;  // what the in-kernel netns filter admits (empty: all)
  static constexpr size_t kMaxKernelNetns = 256;  // netns_allow max_entries
  TraceStats stats;
  Kallsyms kallsyms;
  bool kallsyms_ok = false;
  DropReasonNames reasons;
  bool reasons_ok = false;
  std::string reasons_error;
  bool kernel_has_reasons = true;  // kfree_skb has a reason argument (Linux 5.17 and later)
  LinkNameCache links;
  std::map<uint64_t, std::string> netns_names;
  std::map<drop_key, std::string, KeyLess> examples;  // flow-less key -> one example flow

  ~Impl() { close(); }

  void close() {
    if (ring) ring_buffer__free(ring);
    ring = nullptr;
    if (skel) drop_tracer_bpf__destroy(skel);
    skel = nullptr;
    running = false;
  }

  static int on_sample(void* ctx, void* data, size_t size) {
    auto* self = static_cast<Impl*>(ctx);
    if (size < sizeof(drop_sample)) return 0;
    drop_sample s;
    std::memcpy(&s, data, sizeof(s));
    drop_key k = s.key;
    std::string flow = flow_string(k);
    if (flow.empty()) return 0;
    if (!self->filters.flows) {
      k.family = 0;
      std::memset(k.saddr, 0, sizeof(k.saddr));
      std::memset(k.daddr, 0, sizeof(k.daddr));
      k.sport = k.dport = 0;
    } else if (k.l4proto != IPPROTO_TCP && k.l4proto != IPPROTO_UDP) {
      k.sport = k.dport = 0;
    }
    self->examples.try_emplace(k, flow + " len " + std::to_string(s.len));
    return 0;
  }

  bool open_and_load(bool use_btf, int btf_args) {
    // CO-RE relocations and tp_btf resolve against the same BTF the rest of the tracer read.
    std::string btf_path = kernel_btf_path();
    LIBBPF_OPTS(bpf_object_open_opts, open_opts);
    if (kernel_btf_overridden()) open_opts.btf_custom_path = btf_path.c_str();
    skel = drop_tracer_bpf__open_opts(&open_opts);
    if (!skel) {
      unavailable = "cannot open the BPF object: " + g_libbpf_last;
      return false;
    }
    auto* ro = skel->rodata;
    ro->filter_netns = kernel_ns.empty() ? 0 : 1;
    ro->with_flows = filters.flows ? 1 : 0;
    ro->with_examples = filters.examples ? 1 : 0;
    ro->has_rx_sk = btf_args >= 4 ? 1 : 0;
    ro->has_rdonly_cast = use_btf && kernel_has_func("bpf_rdonly_cast") ? 1 : 0;
    // The rules drop benign frees unless they were asked for: not counting them in the kernel
    // saves their per-event work, and a stream of them no longer breaks a flood's per-CPU run.
    if (!filters.include_benign && reasons_ok)
      for (auto name : kBenignDropReasons)
        if (uint32_t v; reasons.value_of(std::string(name), v) && v < 128) {
          (v < 64 ? ro->skip_reasons_lo : ro->skip_reasons_hi) |= 1ULL << (v % 64);
          ro->filter_reasons = 1;
        }
    if (filters.port) ro->filter_port = filters.port;
    ro->short_fast_path =
        ro->has_rdonly_cast && !filters.flows && !filters.port && filters.host.empty() ? 1 : 0;
    if (filters.proto == "tcp")
      ro->filter_l4 = IPPROTO_TCP;
    else if (filters.proto == "udp")
      ro->filter_l4 = IPPROTO_UDP;
    else if (filters.proto == "icmp")
      ro->filter_l4 = IPPROTO_ICMP;
    else if (filters.proto == "icmp6")
      ro->filter_l4 = IPPROTO_ICMPV6;
    if (!filters.host.empty()) {
      __u8 a[16] = {};
      if (inet_pton(AF_INET, filters.host.c_str(), a) == 1) {
        ro->filter_family = 4;
      } else if (inet_pton(AF_INET6, filters.host.c_str(), a) == 1) {
        ro->filter_family = 6;
      }
      for (int i = 0; i < 16; i++) ro->filter_addr[i] = a[i];
    }
    // PKTLOSS_TRACE_FLOOR=1 (bench/trace.sh only): an empty program on the same hook instead, to
    // measure the floor of tracing every freed skb in the same run. It counts nothing.
    bool floor = use_btf && std::getenv("PKTLOSS_TRACE_FLOOR") != nullptr;
    bpf_program__set_autoload(skel->progs.on_kfree_skb_btf, use_btf && !floor);
    bpf_program__set_autoload(skel->progs.on_kfree_skb_tp, !use_btf);
    bpf_program__set_autoload(skel->progs.on_kfree_skb_floor, floor);
    // XDP programs' failures (XDP_ABORTED): what a NIC's native XDP path never hands to kfree_skb.
    bpf_program__set_autoload(skel->progs.on_xdp_exception_btf,
                              use_btf && !floor && kernel_has_typedef("btf_trace_xdp_exception"));
    int err = drop_tracer_bpf__load(skel);
    if (err) {
      int e = -err;
      std::string why = e == EPERM || e == EACCES
                            ? "permission denied (needs root, or CAP_BPF and CAP_PERFMON)"
                            : std::string(std::strerror(e));
      std::string ld = lockdown_state();
      if (ld == "confidentiality" || ld == "integrity") why += "; kernel lockdown is '" + ld + "'";
      unavailable = "cannot load the kfree_skb BPF program: " + why;
      if (e != EPERM && e != EACCES && !g_libbpf_last.empty())
        unavailable += " (" + g_libbpf_last + ")";
      drop_tracer_bpf__destroy(skel);
      skel = nullptr;
      return false;
    }
    stats.attach_mode = use_btf ? "tp_btf" : "tracepoint";
    return true;
  }

  bool start(const TraceFilters& f) {
    close();
    filters = f;
    stats = TraceStats{};
    examples.clear();
    unavailable.clear();
    if (!f.host.empty()) {
      unsigned char a[16];
      if (inet_pton(AF_INET, f.host.c_str(), a) != 1 && inet_pton(AF_INET6, f.host.c_str(), a) != 1)
        throw std::invalid_argument("--host must be an IPv4 or IPv6 address, got '" + f.host + "'");
    }
    if (!f.proto.empty() && f.proto != "tcp" && f.proto != "udp" && f.proto != "icmp" &&
        f.proto != "icmp6")
      throw std::invalid_argument("--proto must be tcp, udp, icmp or icmp6");
    if (std::string why; !libbpf_loaded(why)) {
      unavailable = "eBPF tracer unavailable: " + why;
      return false;
    }
    libbpf_set_print(libbpf_print);
    if (!reasons_ok) reasons_ok = reasons.load(reasons_error);
    if (!kallsyms_ok) kallsyms_ok = kallsyms.load();
    if (std::string btf = kernel_btf_path(); ::faccessat(AT_FDCWD, btf.c_str(), R_OK, AT_EACCESS) != 0) {
      unavailable = "eBPF tracer unavailable: no kernel BTF (" + btf + ": " + std::strerror(errno) +
                    (kernel_btf_overridden() ? std::string(", from ") + kKernelBtfEnv
                                             : std::string("; CONFIG_DEBUG_INFO_BTF=n")) +
                    ")";
      return false;
    }
    // The kernel filters on skb->dev's namespace; a packet dropped while crossing a veth into a
    // requested namespace still has the sender's device, so the peers are traced too and rows()
    // keeps only those that end up in a requested namespace.
    kernel_ns = f.netns_inodes;
    for (uint64_t ino : f.netns_inodes)
      for (uint64_t peer : links.veth_peer_namespaces(ino))
        if (std::find(kernel_ns.begin(), kernel_ns.end(), peer) == kernel_ns.end())
          kernel_ns.push_back(peer);
    // More namespaces than the kernel filter holds: trace all, rows() still filters.
    if (kernel_ns.size() > kMaxKernelNetns) kernel_ns.clear();
    int btf_args = running_kfree_skb_btf_args();
    kernel_has_reasons =
        kfree_skb_has_reason(btf_args, btf_args < 0 ? running_format_has_reason() : std::nullopt);
    bool ok = false;
    if (btf_args >= 3) ok = open_and_load(true, btf_args);
    if (!ok) {
      std::string first = unavailable;
      ok = open_and_load(false, btf_args);
      if (!ok && !first.empty()) unavailable = first;
    }
    if (!ok) {
      unavailable = "eBPF tracer unavailable: " + unavailable;
      return false;
    }
    __u8 one = 1;
    for (uint64_t ino : kernel_ns) {
      __u32 k = static_cast<__u32>(ino);
      bpf_map__update_elem(skel->maps.netns_allow, &k, sizeof(k), &one, sizeof(one), BPF_ANY);
    }
    ring = ring_buffer__new(bpf_map__fd(skel->maps.samples), on_sample, this, nullptr);
    if (drop_tracer_bpf__attach(skel)) {
      unavailable = "eBPF tracer unavailable: cannot attach to kfree_skb: " + g_libbpf_last;
      close();
      return false;
    }
    running = true;
    return true;
  }

  void read_stats() {
    if (!skel) return;
    int ncpu = libbpf_num_possible_cpus();
    if (ncpu <= 0) return;
    std::vector<__u64> vals(ncpu);
    auto sum = [&](__u32 idx) {
      uint64_t s = 0;
      if (bpf_map__lookup_elem(skel->maps.stats, &idx, sizeof(idx), vals.data(),
                               vals.size() * sizeof(__u64), 0) == 0)
        for (auto v : vals) s += v;
      return s;
    };
    stats.map_full = sum(0);
    stats.samples_lost = sum(1);
    bpf_prog_info info = {};
    __u32 len = sizeof(info);
    bpf_program* p =
        stats.attach_mode == "tp_btf" ? skel->progs.on_kfree_skb_btf : skel->progs.on_kfree_skb_tp;
    if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) == 0)
      stats.recursion_misses = info.recursion_misses;
  }

  std::string netns_name(uint64_t inode) {
    if (inode == 0) return "";
    auto given = filters.netns_names.find(inode);
    if (given != filters.netns_names.end()) return given->second;
    auto it = netns_names.find(inode);
    if (it != netns_names.end()) return it->second;
    return netns_names[inode] = netns_name_for_inode(inode);
  }

  std::vector<DropEventRow> rows() {
    std::vector<DropEventRow> out;
    if (!skel) return out;
    if (ring) ring_buffer__consume(ring);
    read_stats();
    int ncpu = libbpf_num_possible_cpus();
    if (ncpu <= 0) return out;
    std::vector<drop_value> vals(ncpu);
    links.refresh();
    // Without --flows the kernel keys on the short key; widen it so both paths share the code.
    std::vector<std::pair<drop_key, std::vector<drop_value>>> entries;
    if (filters.flows) {
      int fd = bpf_map__fd(skel->maps.flow_drops);
      drop_key key{}, next{};
      const void* prev = nullptr;
      while (bpf_map_get_next_key(fd, prev, &next) == 0) {
        key = next;
        prev = &key;
        if (bpf_map_lookup_elem(fd, &key, vals.data()) == 0) entries.emplace_back(key, vals);
      }
    } else {
      // Per-CPU runs not yet moved into the hash count like hash entries.
      std::map<drop_key_short, std::vector<drop_value>, ShortLess> merged;
      std::vector<drop_run> runs(ncpu);
      __u32 zero = 0;
      if (bpf_map__lookup_elem(skel->maps.runs, &zero, sizeof(zero), runs.data(),
                               runs.size() * sizeof(drop_run), 0) == 0)
        for (int c = 0; c < ncpu; c++)
          if (runs[c].val.packets) {
            auto& v = merged.try_emplace(runs[c].key, ncpu, drop_value{}).first->second;
            v[c].packets += runs[c].val.packets;
            v[c].bytes += runs[c].val.bytes;
          }
      int fd = bpf_map__fd(skel->maps.drops);
      drop_key_short key{}, next{};
      const void* prev = nullptr;
      while (bpf_map_get_next_key(fd, prev, &next) == 0) {
        key = next;
        prev = &key;
        if (bpf_map_lookup_elem(fd, &key, vals.data()) != 0) continue;
        auto& v = merged.try_emplace(key, ncpu, drop_value{}).first->second;
        for (int c = 0; c < ncpu; c++) {
          v[c].packets += vals[c].packets;
          v[c].bytes += vals[c].bytes;
        }
      }
      for (const auto& [key, v] : merged) {
        drop_key k{};
        k.location = key.location;
        k.netns = key.netns;
        k.ifindex = key.ifindex;
        k.reason = key.reason;
        k.l3proto = key.l3proto;
        k.l4proto = key.l4proto;
        entries.emplace_back(k, v);
      }
    }
    for (const auto& [key, vals] : entries) {
      DropEventRow r;
      for (const auto& v : vals) {
        r.packets += v.packets;
        r.bytes += v.bytes;
      }
      if (r.packets == 0) continue;
      if ((key.reason & 0xffff0000u) == PKTLOSS_XDP_EXCEPTION_REASON) {
        // xdp:xdp_exception: the location holds the program's id (drop_event.h).
        r.reason = xdp_exception_name(key.reason & 0xffffu);
        r.location = "xdp prog " + std::to_string(key.location);
        r.function = "xdp_exception";
      } else {
        // Without a reason argument the program records 0; say what the kernel would have said.
        r.reason = kernel_has_reasons ? reasons.name(key.reason) : "NOT_SPECIFIED";
        r.location = kallsyms_ok ? kallsyms.resolve(key.location) : [&] {
          char b[32];
          std::snprintf(b, sizeof(b), "0x%llx", static_cast<unsigned long long>(key.location));
          return std::string(b);
        }();
        r.function = kallsyms.function(key.location);
      }
      r.proto = ip_proto_name(key.l3proto, key.l4proto);
      r.netns_inode = key.netns;
      r.netns = netns_name(key.netns);
      r.ifindex = static_cast<int>(key.ifindex);
      r.dev = links.name(key.netns, r.ifindex);
      // The meaning of the row (and whether it belongs to the peer) is decided by the rules;
      // the tracer records where the packet was heading.
      if (auto peer = links.veth_peer(key.netns, r.ifindex))
        r.peer = DropPeerDevice{peer->first, netns_name(peer->first), peer->second,
                                links.name(peer->first, peer->second)};
      if (filters.flows) r.flow = flow_string(key);
      auto ex = examples.find(key);
      if (ex != examples.end()) r.example = ex->second;
      out.push_back(std::move(r));
    }
    std::stable_sort(out.begin(), out.end(), [](const DropEventRow& a, const DropEventRow& b) {
      if (a.packets != b.packets) return a.packets > b.packets;
      return a.reason < b.reason;
    });
    return out;
  }

  std::vector<std::string> notes() const {
    std::vector<std::string> n;
    if (stats.attach_mode.empty()) return n;  // never ran: unavailable_reason() says why
    if (!kernel_has_reasons)
      n.push_back(kNoDropReasonNote);  // names are moot: there are no reasons to name
    else if (!reasons_ok)
      n.push_back("drop reason names unavailable (" + reasons_error + "); showing numbers");
    if (!kallsyms_ok)
      n.push_back(
          "/proc/kallsyms unreadable or zeroed (kptr_restrict); locations are raw "
          "addresses");
    if (stats.map_full)
      n.push_back("eBPF drop map full: " + std::to_string(stats.map_full) +
                  " drops not counted (narrow with -n/--host/--port)");
    if (stats.recursion_misses)
      n.push_back("kernel skipped " + std::to_string(stats.recursion_misses) +
                  " nested kfree_skb events (counts are a lower bound)");
    if (stats.samples_lost)
      n.push_back(std::to_string(stats.samples_lost) + " example events lost (ring buffer full)");
    return n;
  }
};

DropTracer::DropTracer() : impl_(std::make_unique<Impl>()) {}
DropTracer::~DropTracer() = default;

bool DropTracer::start(const TraceFilters& filters) {
  std::lock_guard<std::mutex> l(mu_);
  return impl_->start(filters);
}

bool DropTracer::available() const {
  std::lock_guard<std::mutex> l(mu_);
  return impl_->running;
}

std::string DropTracer::unavailable_reason() const {
  std::lock_guard<std::mutex> l(mu_);
  return impl_->unavailable;
}

std::vector<DropEventRow> DropTracer::rows() {
  std::lock_guard<std::mutex> l(mu_);
  return impl_->rows();
}

std::vector<DropEventRow> DropTracer::stop() {
  std::lock_guard<std::mutex> l(mu_);
  // Detach first: the final read then sees every event, none arrives half-counted.
  if (impl_->skel) drop_tracer_bpf__detach(impl_->skel);
  auto r = impl_->rows();
  impl_->close();
  return r;
}

TraceStats DropTracer::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return impl_->stats;
}

std::vector<std::string> DropTracer::notes() const {
  std::lock_guard<std::mutex> l(mu_);
  return impl_->notes();
}

}  // namespace pktloss
