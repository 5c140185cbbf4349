// SPDX-License-Identifier: GPL-2.0
/* A test XDP program that returns one verdict for every frame (test_xdp.cpp attaches it with
 * `ip link set dev eth0 xdp obj FILE sec xdp`). Built once per verdict: XDP_VERDICT is XDP_DROP,
 * XDP_PASS or XDP_ABORTED and PROG_NAME the function's name (what bpf_prog_info reports). */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int PROG_NAME(struct xdp_md* ctx) {
  (void)ctx;
  return XDP_VERDICT;
}
