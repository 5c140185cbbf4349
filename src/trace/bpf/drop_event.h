/* Types shared by the kfree_skb BPF program and user space (C, no kernel headers: the BPF side
 * includes vmlinux.h first, user space <stdint.h>; both give __u8.. via their own headers). */
#ifndef PKTLOSS_TRACE_DROP_EVENT_H
#define PKTLOSS_TRACE_DROP_EVENT_H

/* Aggregation key. Padding is explicit and zeroed so equal drops hash to the same entry. */
struct drop_key {
  __u64 location; /* caller address of kfree_skb (resolved through /proc/kallsyms) */
  __u32 netns;    /* netns inode of the device (or socket) the skb belonged to */
  __u32 ifindex;  /* skb->dev ifindex (0: no device, e.g. a socket-level drop) */
  __u32 reason;   /* enum skb_drop_reason value (names come from BTF at run time) */
  __u16 l3proto;  /* ETH_P_* in host order (skb->protocol) */
  __u8 l4proto;   /* IPPROTO_* (0 when unknown) */
  __u8 family;    /* 4, 6 or 0: which address fields hold a flow (only with flows) */
  __u8 saddr[16]; /* with flows only; IPv4 in the first 4 bytes */
  __u8 daddr[16];
  __u16 sport; /* host order */
  __u16 dport;
  __u32 pad;
};

/* Key of the aggregate without --flows: what identifies a drop, 24 bytes, cheap to hash. */
struct drop_key_short {
  __u64 location;
  __u32 netns;
  __u32 ifindex;
  __u32 reason;
  __u16 l3proto;
  __u8 l4proto;
  __u8 pad;
};

struct drop_value {
  __u64 packets;
  __u64 bytes;
};

/* The current run of identical drops on one CPU, not yet added to the hash (floods repeat one key:
 * counting the run here saves a hash lookup per packet). User space adds it when reading. */
struct drop_run {
  struct drop_key_short key;
  struct drop_value val;
};

/* xdp:xdp_exception events share the drop map: their key's location is the XDP program's id and
 * their reason this marker with the XDP action in the low 16 bits (above every skb_drop_reason). */
#define PKTLOSS_XDP_EXCEPTION_REASON 0x7ffe0000u

/* One sampled event for the ring buffer (always carries the flow). */
struct drop_sample {
  struct drop_key key;
  __u32 len;
  __u32 pad;
};

#endif
