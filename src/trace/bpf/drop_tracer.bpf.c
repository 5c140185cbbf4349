// SPDX-License-Identifier: GPL-2.0
/* pktloss kernel drop tracer: every kfree_skb (a freed packet that was NOT consumed normally) is
 * counted in the kernel by (netns, ifindex, reason, location, protocols[, 5-tuple]); user space
 * reads the aggregate once per refresh, so the per-packet cost is one hash update. A rate-limited
 * ring buffer carries a few individual events as examples. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "drop_event.h"

char LICENSE[] SEC("license") = "GPL";

/* Filters and options, fixed at load time (the verifier prunes the disabled branches). */
const volatile __u8 filter_netns = 0;   /* only namespaces in netns_allow */
const volatile __u8 filter_family = 0;  /* 4 or 6: only packets from/to filter_addr */
const volatile __u8 filter_addr[16] = {};
const volatile __u16 filter_port = 0;   /* only packets from/to this port (tcp/udp) */
const volatile __u8 filter_l4 = 0;      /* only this IPPROTO_* */
const volatile __u8 with_flows = 0;     /* key includes the 5-tuple */
const volatile __u8 has_rx_sk = 0;      /* tp_btf kfree_skb has the 4th argument (>= 6.11) */
const volatile __u32 samples_per_sec = 0; /* per CPU; 0: no samples */

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, 16384);
  __type(key, struct drop_key);
  __type(value, struct drop_value);
} drops SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u8);
} netns_allow SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} samples SEC(".maps");

/* Per-CPU accounting: [0] drops not counted because the hash was full, [1] samples lost to a full
 * ring buffer, [2] rate limiter second, [3] samples sent in that second. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} stats SEC(".maps");

/* Fast path for a per-CPU hash: plain adds are exact because a program never nests on its CPU. */
static __always_inline void bump(__u32 idx, __u64 by) {
  __u64* v = bpf_map_lookup_elem(&stats, &idx);
  if (v) *v += by;
}

static __always_inline __u32 netns_of(struct sk_buff* skb, struct sock* rx_sk) {
  struct net_device* dev = BPF_CORE_READ(skb, dev);
  if (dev) return BPF_CORE_READ(dev, nd_net.net, ns.inum);
  struct sock* sk = rx_sk ? rx_sk : BPF_CORE_READ(skb, sk);
  if (sk) return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
  return 0;
}

/* Reads L3/L4 headers from skb->head + network_header. Returns 0 when not IP or unreadable. */
static __always_inline int parse_flow(struct sk_buff* skb, struct drop_key* k) {
  unsigned char* head = BPF_CORE_READ(skb, head);
  __u16 nh = BPF_CORE_READ(skb, network_header);
  if (!head || nh == (__u16)~0U) return 0;
  unsigned char* l3 = head + nh;
  __u8 l4 = 0;
  unsigned char* l4p = 0;
  if (k->l3proto == 0x0800) {
    struct iphdr ip;
    if (bpf_probe_read_kernel(&ip, sizeof(ip), l3)) return 0;
    if (ip.version != 4) return 0;
    k->family = 4;
    __builtin_memcpy(k->saddr, &ip.saddr, 4);
    __builtin_memcpy(k->daddr, &ip.daddr, 4);
    l4 = ip.protocol;
    /* Only the first fragment carries ports. */
    if ((bpf_ntohs(ip.frag_off) & 0x1fff) == 0) l4p = l3 + ip.ihl * 4;
  } else if (k->l3proto == 0x86DD) {
    struct ipv6hdr ip6;
    if (bpf_probe_read_kernel(&ip6, sizeof(ip6), l3)) return 0;
    k->family = 6;
    __builtin_memcpy(k->saddr, &ip6.saddr, 16);
    __builtin_memcpy(k->daddr, &ip6.daddr, 16);
    l4 = ip6.nexthdr;
    l4p = l3 + sizeof(ip6);
  } else {
    return 0;
  }
  k->l4proto = l4;
  if (l4p && (l4 == IPPROTO_TCP || l4 == IPPROTO_UDP)) {
    __be16 ports[2];
    if (!bpf_probe_read_kernel(ports, sizeof(ports), l4p)) {
      k->sport = bpf_ntohs(ports[0]);
      k->dport = bpf_ntohs(ports[1]);
    }
  }
  return 1;
}

static __always_inline int addr_match(const __u8* a) {
  int n = filter_family == 4 ? 4 : 16;
  for (int i = 0; i < 16; i++) {
    if (i >= n) break;
    if (a[i] != filter_addr[i]) return 0;
  }
  return 1;
}

static __always_inline void maybe_sample(struct drop_key* k, __u32 len) {
  __u32 i_sec = 2, i_cnt = 3;
  __u64* sec = bpf_map_lookup_elem(&stats, &i_sec);
  __u64* cnt = bpf_map_lookup_elem(&stats, &i_cnt);
  if (!sec || !cnt) return;
  __u64 now = bpf_ktime_get_ns() / 1000000000ULL;
  if (*sec != now) {
    *sec = now;
    *cnt = 0;
  }
  if (*cnt >= samples_per_sec) return;
  struct drop_sample* s = bpf_ringbuf_reserve(&samples, sizeof(*s), 0);
  if (!s) {
    bump(1, 1);
    return;
  }
  (*cnt)++;
  __builtin_memcpy(&s->key, k, sizeof(*k));
  s->len = len;
  s->pad = 0;
  bpf_ringbuf_submit(s, 0);
}

static __always_inline int handle(struct sk_buff* skb, void* location, __u32 reason,
                                  struct sock* rx_sk) {
  struct drop_key k;
  __builtin_memset(&k, 0, sizeof(k));
  k.netns = netns_of(skb, rx_sk);
  if (filter_netns && !bpf_map_lookup_elem(&netns_allow, &k.netns)) return 0;
  k.location = (__u64)location;
  k.reason = reason;
  k.l3proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));
  struct net_device* dev = BPF_CORE_READ(skb, dev);
  k.ifindex = dev ? BPF_CORE_READ(dev, ifindex) : BPF_CORE_READ(skb, skb_iif);
  parse_flow(skb, &k);
  if (filter_l4 && k.l4proto != filter_l4) return 0;
  if (filter_port && k.sport != filter_port && k.dport != filter_port) return 0;
  if (filter_family) {
    if (k.family != filter_family) return 0;
    if (!addr_match(k.saddr) && !addr_match(k.daddr)) return 0;
  }
  __u32 len = BPF_CORE_READ(skb, len);
  if (samples_per_sec) maybe_sample(&k, len);
  if (!with_flows) {
    k.family = 0;
    __builtin_memset(k.saddr, 0, sizeof(k.saddr));
    __builtin_memset(k.daddr, 0, sizeof(k.daddr));
    k.sport = k.dport = 0;
  }
  struct drop_value* v = bpf_map_lookup_elem(&drops, &k);
  if (v) {
    v->packets++;
    v->bytes += len;
    return 0;
  }
  struct drop_value init = {.packets = 1, .bytes = len};
  if (bpf_map_update_elem(&drops, &k, &init, BPF_NOEXIST)) {
    /* Another CPU may have inserted it meanwhile: our per-CPU slot exists now. */
    v = bpf_map_lookup_elem(&drops, &k);
    if (v) {
      v->packets++;
      v->bytes += len;
    } else {
      bump(0, 1);
    }
  }
  return 0;
}

SEC("tp_btf/kfree_skb")
int on_kfree_skb_btf(u64* ctx) {
  struct sk_buff* skb = (struct sk_buff*)ctx[0];
  void* location = (void*)ctx[1];
  __u32 reason = (__u32)ctx[2];
  struct sock* rx_sk = 0;
  if (has_rx_sk) rx_sk = (struct sock*)ctx[3];
  return handle(skb, location, reason, rx_sk);
}

SEC("tracepoint/skb/kfree_skb")
int on_kfree_skb_tp(struct trace_event_raw_kfree_skb* ctx) {
  __u32 reason = 0;
  struct sock* rx_sk = 0;
  if (bpf_core_field_exists(ctx->reason)) reason = BPF_CORE_READ(ctx, reason);
  if (bpf_core_field_exists(ctx->rx_sk)) rx_sk = (struct sock*)BPF_CORE_READ(ctx, rx_sk);
  return handle((struct sk_buff*)ctx->skbaddr, ctx->location, reason, rx_sk);
}
