// SPDX-License-Identifier: GPL-2.0
/* A test tc classifier (cls_bpf, direct-action) that passes every packet: test_xdp.cpp attaches it
 * with `tc filter add dev eth0 ingress bpf da obj FILE sec tc` to see it listed by pktloss. */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tc")
int tc_pass_all(struct __sk_buff* skb) {
  (void)skb;
  return 0; /* TC_ACT_OK */
}
