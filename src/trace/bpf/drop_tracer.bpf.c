// SPDX-License-Identifier: GPL-2.0
/* pktloss kernel drop tracer: every kfree_skb (a freed packet that was NOT consumed normally) is
 * counted in the kernel by (netns, ifindex, reason, location, protocols[, 5-tuple]); user space
 * reads the aggregate once per refresh, so the per-packet cost is one hash update.
 *
 * Cost matters (the tracer runs on drop floods): the tp_btf program reads skb fields directly
 * (BTF pointers, no helper calls); packet bytes need one bpf_probe_read_kernel of the IP header,
 * ports a second only when a port filter or --flows needs them; the key without --flows is 24
 * bytes. Examples for the ring buffer are taken when a key's per-CPU count is a power of two
 * (1, 2, 4, ...): rate-limited without a clock read, and every distinct drop gets one. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "drop_event.h"

char LICENSE[] SEC("license") = "GPL";

/* Reads kernel memory as a BTF type with plain loads (no helper call); kernels >= 6.2. */
extern void* bpf_rdonly_cast(const void* obj, __u32 btf_id) __ksym __weak;
const volatile __u8 has_rdonly_cast = 0; /* set by user space when the kernel has the kfunc */

/* Filters and options, fixed at load time (the verifier prunes the disabled branches). */
const volatile __u8 filter_netns = 0;  /* only namespaces in netns_allow */
const volatile __u8 filter_family = 0; /* 4 or 6: only packets from/to filter_addr */
const volatile __u8 filter_addr[16] = {};
const volatile __u16 filter_port = 0;  /* only packets from/to this port (tcp/udp) */
const volatile __u8 filter_l4 = 0;     /* only this IPPROTO_* */
const volatile __u8 with_flows = 0;    /* key includes the 5-tuple */
const volatile __u8 has_rx_sk = 0;     /* tp_btf kfree_skb has the 4th argument (>= 6.11) */
const volatile __u8 with_examples = 0; /* ring-buffer examples */
/* Reasons not counted at all (bit n: enum value n < 128): the normal frees the rules call benign
 * (socket close, queue purge, ...), unless those were asked for. Tested before anything else. */
const volatile __u8 filter_reasons = 0;
/* has_rdonly_cast && !with_flows && !filter_port && !filter_family, computed by user space: the
 * fast path is chosen by one flag load instead of four. */
const volatile __u8 short_fast_path = 0;
const volatile __u64 skip_reasons_lo = 0; /* values 0..63 */
const volatile __u64 skip_reasons_hi = 0; /* values 64..127 */

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, 16384);
  __type(key, struct drop_key_short);
  __type(value, struct drop_value);
} drops SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, 65536);
  __type(key, struct drop_key);
  __type(value, struct drop_value);
} flow_drops SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct drop_run);
} runs SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256); /* user space traces all and filters itself beyond this */
  __type(key, __u32);
  __type(value, __u8);
} netns_allow SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} samples SEC(".maps");

/* Per-CPU accounting: [0] drops not counted because the hash was full, [1] samples lost to a full
 * ring buffer. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} stats SEC(".maps");

/* What the program needs from the skb, read by the attach-specific front end. */
struct skb_facts {
  unsigned char* head;
  __u32 len;
  __u16 nh;
  __u8 l4_known; /* the front end already set k->l4proto (IPv4, no addresses needed) */
};

static __always_inline int skipped_reason(__u32 r) {
  if (!filter_reasons) return 0;
  /* Two scalars, not an indexed array: no variable offset into .rodata for the verifier. */
  if (r < 64) return (skip_reasons_lo >> r) & 1;
  if (r < 128) return (skip_reasons_hi >> (r - 64)) & 1;
  return 0;
}

static __always_inline void bump(__u32 idx) {
  __u64* v = bpf_map_lookup_elem(&stats, &idx);
  if (v) *v += 1;
}

/* Reads the IP header (and the ports when `ports`) from skb->head + network_header. */
static __always_inline void parse_l3(const struct skb_facts* f, struct drop_key* k, int ports) {
  if (!f->head || f->nh == (__u16)~0U) return;
  unsigned char* l3 = f->head + f->nh;
  unsigned char* l4p = 0;
  if (k->l3proto == 0x0800) {
    struct iphdr ip;
    if (bpf_probe_read_kernel(&ip, sizeof(ip), l3) || ip.version != 4) return;
    k->family = 4;
    __builtin_memcpy(k->saddr, &ip.saddr, 4);
    __builtin_memcpy(k->daddr, &ip.daddr, 4);
    k->l4proto = ip.protocol;
    /* Only the first fragment carries ports. */
    if ((bpf_ntohs(ip.frag_off) & 0x1fff) == 0) l4p = l3 + ip.ihl * 4;
  } else if (k->l3proto == 0x86DD) {
    struct ipv6hdr ip6;
    if (bpf_probe_read_kernel(&ip6, sizeof(ip6), l3)) return;
    k->family = 6;
    __builtin_memcpy(k->saddr, &ip6.saddr, 16);
    __builtin_memcpy(k->daddr, &ip6.daddr, 16);
    k->l4proto = ip6.nexthdr;
    l4p = l3 + sizeof(ip6);
  } else {
    return;
  }
  if (ports && l4p && (k->l4proto == IPPROTO_TCP || k->l4proto == IPPROTO_UDP)) {
    __be16 p[2];
    if (!bpf_probe_read_kernel(p, sizeof(p), l4p)) {
      k->sport = bpf_ntohs(p[0]);
      k->dport = bpf_ntohs(p[1]);
    }
  }
}

static __always_inline int addr_match(const __u8* a) {
  int n = filter_family == 4 ? 4 : 16;
  for (int i = 0; i < 16; i++) {
    if (i >= n) break;
    if (a[i] != filter_addr[i]) return 0;
  }
  return 1;
}

static __always_inline void sample(const struct skb_facts* f, struct drop_key* k, int have_ports) {
  if (!have_ports || f->l4_known) parse_l3(f, k, 1);
  struct drop_sample* s = bpf_ringbuf_reserve(&samples, sizeof(*s), 0);
  if (!s) {
    bump(1);
    return;
  }
  __builtin_memcpy(&s->key, k, sizeof(*k));
  s->len = f->len;
  s->pad = 0;
  bpf_ringbuf_submit(s, 0);
}

static __always_inline int pow2(__u64 n) {
  return (n & (n - 1)) == 0;
}

/* Adds one packet to `map` under `key`; returns the per-CPU count after the add (0: not counted).
 */
static __always_inline __u64 account(void* map, const void* key, __u32 len) {
  struct drop_value* v = bpf_map_lookup_elem(map, key);
  if (v) {
    v->packets++;
    v->bytes += len;
    return v->packets;
  }
  struct drop_value init = {.packets = 1, .bytes = len};
  if (bpf_map_update_elem(map, key, &init, BPF_NOEXIST) == 0) return 1;
  /* Another CPU inserted it meanwhile: our per-CPU slot exists now (plain adds are exact, a
   * program never nests on its own CPU). */
  v = bpf_map_lookup_elem(map, key);
  if (!v) {
    bump(0);
    return 0;
  }
  v->packets++;
  v->bytes += len;
  return v->packets;
}

/* A sampled example of a drop counted under a short key: the full key (addresses, ports) is only
 * built here, for the few packets that become examples. */
static __always_inline void sample_short(const struct drop_key_short* sk,
                                         const struct skb_facts* f) {
  struct drop_key k;
  __builtin_memset(&k, 0, sizeof(k));
  k.location = sk->location;
  k.netns = sk->netns;
  k.ifindex = sk->ifindex;
  k.reason = sk->reason;
  k.l3proto = sk->l3proto;
  k.l4proto = sk->l4proto;
  parse_l3(f, &k, 1);
  sample(f, &k, 1);
}

/* Counts one drop under a short key: in this CPU's current run when it repeats the last drop (a
 * flood: no hash lookup at all), else the finished run goes into the hash and a new one starts. */
static __always_inline int account_short(const struct drop_key_short* skp,
                                         const struct skb_facts* f) {
  struct drop_key_short sk = *skp;
  __u32 zero = 0;
  struct drop_run* run = bpf_map_lookup_elem(&runs, &zero);
  if (!run) return 0;
  /* The 24-byte key as three words (pad is always 0): three compares instead of six. */
  const __u64* a = (const __u64*)&run->key;
  const __u64* b = (const __u64*)&sk;
  /* An empty run's key is all zeros and a real location never is: no test of the count first. */
  if (a[0] == b[0] && a[1] == b[1] && a[2] == b[2]) {
    run->val.packets++;
    run->val.bytes += f->len;
    /* Long runs still give an example now and then (2, 4, 8, ... packets into the run). */
    if (with_examples && pow2(run->val.packets) && run->val.packets >= 1024) sample_short(&sk, f);
    return 0;
  }
  /* Another drop: move the finished run into the hash, start a new one. */
  if (run->val.packets) {
    struct drop_key_short old = run->key;
    struct drop_value* v = bpf_map_lookup_elem(&drops, &old);
    if (v) {
      v->packets += run->val.packets;
      v->bytes += run->val.bytes;
    } else if (bpf_map_update_elem(&drops, &old, &run->val, BPF_NOEXIST)) {
      v = bpf_map_lookup_elem(&drops, &old);
      if (v) {
        v->packets += run->val.packets;
        v->bytes += run->val.bytes;
      } else {
        bump(0);
      }
    }
  }
  /* First time this CPU sees this drop: keep one example of it. */
  int fresh = with_examples && !bpf_map_lookup_elem(&drops, &sk);
  run->key = sk;
  run->val.packets = 1;
  run->val.bytes = f->len;
  if (fresh) sample_short(&sk, f);
  return 0;
}

static __always_inline int handle(struct drop_key* k, const struct skb_facts* f) {
  int need_ports = with_flows || filter_port;
  if (!f->l4_known) parse_l3(f, k, need_ports);
  if (filter_l4 && k->l4proto != filter_l4) return 0;
  if (filter_port && k->sport != filter_port && k->dport != filter_port) return 0;
  if (filter_family) {
    if (k->family != filter_family) return 0;
    if (!addr_match(k->saddr) && !addr_match(k->daddr)) return 0;
  }
  if (with_flows) {
    __u64 n = account(&flow_drops, k, f->len);
    if (with_examples && n && pow2(n)) sample(f, k, need_ports);
    return 0;
  }
  struct drop_key_short sk = {.location = k->location,
                              .netns = k->netns,
                              .ifindex = k->ifindex,
                              .reason = k->reason,
                              .l3proto = k->l3proto,
                              .l4proto = k->l4proto,
                              .pad = 0};
  return account_short(&sk, f);
}

SEC("tp_btf/kfree_skb")
int on_kfree_skb_btf(u64* ctx) {
  __u32 reason = (__u32)ctx[2];
  /* A normal free costs this test and nothing else. */
  if (skipped_reason(reason)) return 0;
  struct sk_buff* skb = (struct sk_buff*)ctx[0];
  __u32 netns = 0, ifindex;
  /* Direct loads through BTF pointers: no helper call per field. */
  struct net_device* dev = skb->dev;
  if (dev) {
    netns = dev->nd_net.net->ns.inum;
    ifindex = dev->ifindex;
  } else {
    struct sock* sk = skb->sk;
    if (has_rx_sk && ctx[3]) sk = (struct sock*)ctx[3];
    if (sk) netns = sk->__sk_common.skc_net.net->ns.inum;
    ifindex = skb->skb_iif;
  }
  /* The namespace filter before any other work: drops elsewhere cost only this lookup. */
  if (filter_netns && !bpf_map_lookup_elem(&netns_allow, &netns)) return 0;
  struct skb_facts f = {.head = skb->head, .len = skb->len, .nh = skb->network_header};
  __u16 l3proto = bpf_ntohs(skb->protocol);
  /* Fast path (no flows, no address/port filter): the 24-byte key straight away, the protocol
   * byte by a plain load; the 64-byte flow key is only built for examples. */
  if (short_fast_path) {
    struct drop_key_short sk = {.location = ctx[1],
                                .netns = netns,
                                .ifindex = ifindex,
                                .reason = reason,
                                .l3proto = l3proto,
                                .l4proto = 0,
                                .pad = 0};
    if (f.head && f.nh != (__u16)~0U) {
      if (l3proto == 0x0800) {
        struct iphdr* ip = bpf_rdonly_cast(f.head + f.nh, bpf_core_type_id_kernel(struct iphdr));
        sk.l4proto = ip->protocol;
      } else if (l3proto == 0x86DD) {
        struct ipv6hdr* ip6 =
            bpf_rdonly_cast(f.head + f.nh, bpf_core_type_id_kernel(struct ipv6hdr));
        sk.l4proto = ip6->nexthdr;
      }
    }
    if (filter_l4 && sk.l4proto != filter_l4) return 0;
    return account_short(&sk, &f);
  }
  struct drop_key k;
  __builtin_memset(&k, 0, sizeof(k));
  k.location = ctx[1];
  k.reason = reason;
  k.netns = netns;
  k.ifindex = ifindex;
  k.l3proto = l3proto;
  return handle(&k, &f);
}

/* The floor of tracing every freed skb: an empty program on the same hook. bench/trace.sh loads it
 * (PKTLOSS_TRACE_FLOOR=1) to measure what the attachment alone costs; never loaded otherwise. */
SEC("tp_btf/kfree_skb")
int on_kfree_skb_floor(u64* ctx) {
  return 0;
}

SEC("tracepoint/skb/kfree_skb")
int on_kfree_skb_tp(struct trace_event_raw_kfree_skb* ctx) {
  struct sk_buff* skb = (struct sk_buff*)ctx->skbaddr;
  struct drop_key k;
  __builtin_memset(&k, 0, sizeof(k));
  k.location = (__u64)ctx->location;
  if (bpf_core_field_exists(ctx->reason)) k.reason = BPF_CORE_READ(ctx, reason);
  if (skipped_reason(k.reason)) return 0;
  struct net_device* dev = BPF_CORE_READ(skb, dev);
  if (dev) {
    k.netns = BPF_CORE_READ(dev, nd_net.net, ns.inum);
    k.ifindex = BPF_CORE_READ(dev, ifindex);
  } else {
    struct sock* sk = BPF_CORE_READ(skb, sk);
    if (bpf_core_field_exists(ctx->rx_sk) && ctx->rx_sk) sk = (struct sock*)ctx->rx_sk;
    if (sk) k.netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
    k.ifindex = BPF_CORE_READ(skb, skb_iif);
  }
  if (filter_netns && !bpf_map_lookup_elem(&netns_allow, &k.netns)) return 0;
  k.l3proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));
  struct skb_facts f = {.head = BPF_CORE_READ(skb, head),
                        .len = BPF_CORE_READ(skb, len),
                        .nh = BPF_CORE_READ(skb, network_header)};
  return handle(&k, &f);
}

/* XDP programs that failed on a frame: xdp:xdp_exception fires for XDP_ABORTED, an action the
 * driver does not know, and a failed XDP_TX. On a NIC's native path such a frame never becomes an
 * skb, so kfree_skb never sees it: it is counted here like a drop, keyed by the program's id (as
 * the location) and the action (in the reason, see drop_event.h). No packet bytes are read: the
 * frame's addresses are unknown here, so a host, port or protocol filter does not apply (an
 * aborting program on a traced device matters to every flow through it); the netns filter does. */
SEC("tp_btf/xdp_exception")
int on_xdp_exception_btf(u64* ctx) {
  const struct net_device* dev = (const struct net_device*)ctx[0];
  const struct bpf_prog* prog = (const struct bpf_prog*)ctx[1];
  __u32 act = (__u32)ctx[2];
  if (!dev) return 0;
  __u32 netns = dev->nd_net.net->ns.inum;
  if (filter_netns && !bpf_map_lookup_elem(&netns_allow, &netns)) return 0;
  __u32 id = prog ? prog->aux->id : 0;
  __u32 reason = PKTLOSS_XDP_EXCEPTION_REASON | (act & 0xffff);
  if (with_flows) {
    struct drop_key k;
    __builtin_memset(&k, 0, sizeof(k));
    k.location = id;
    k.netns = netns;
    k.ifindex = dev->ifindex;
    k.reason = reason;
    account(&flow_drops, &k, 0);
    return 0;
  }
  struct drop_key_short sk = {.location = id,
                              .netns = netns,
                              .ifindex = dev->ifindex,
                              .reason = reason,
                              .l3proto = 0,
                              .l4proto = 0,
                              .pad = 0};
  struct skb_facts f = {.head = 0, .len = 0, .nh = (__u16)~0U, .l4_known = 1};
  return account_short(&sk, &f);
}
