// The floor of a snapshot: the kernel reads pktloss's collectors make (rtnetlink dumps of links,
// qdiscs, routes, neighbours and IPv4 netconf; sock_diag dumps of TCP and UDP over IPv4 and IPv6
// with memory info; /proc/net counters; the drop-deciding sysctls), each received into one
// buffer and thrown away. No parsing, no model,
// no report, no C++ runtime: what is left of pktloss's cost above this program's is pktloss's own
// work, and what this program costs is the kernel's, which no collector can avoid.
//
//   cc -O2 -o snapshot_floor bench/snapshot_floor.c -lmnl
//   snapshot_floor [--classic] [NETNS]   (a /run/netns name; default the caller's namespace)
//   --classic: only what ip -s link, tc -s qdisc, nstat -a and ss -tuna read (links, qdiscs,
//   sockets, /proc/net/{snmp,netstat,snmp6}): the floor of the classic tools themselves.
#define _GNU_SOURCE
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

static int drain(struct mnl_socket* nl, unsigned seq) {
  unsigned portid = mnl_socket_get_portid(nl);
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
    if (n <= 0) return -1;
    int ret = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
    if (ret <= MNL_CB_STOP) return ret;
  }
}

static void rtnl_dump(struct mnl_socket* nl, int type, size_t hdr_len, unsigned char family,
                      unsigned seq) {
  char req[256] = {0};
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(req);
  nlh->nlmsg_type = (unsigned short)type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = seq;
  unsigned char* h = mnl_nlmsg_put_extra_header(nlh, hdr_len);
  h[0] = family;  // every rtnetlink family header starts with its family byte
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 || drain(nl, seq) < 0)
    fprintf(stderr, "dump %d failed\n", type);
}

static void diag_dump(int family, int protocol, unsigned seq) {
  struct mnl_socket* nl = mnl_socket_open(NETLINK_SOCK_DIAG);
  if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) return;
  char req[256] = {0};
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(req);
  nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = seq;
  struct inet_diag_req_v2* r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);
  r->sdiag_family = (unsigned char)family;
  r->sdiag_protocol = (unsigned char)protocol;
  r->idiag_states = ~0u;
  r->idiag_ext = 1u << (INET_DIAG_SKMEMINFO - 1);
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 || drain(nl, seq) < 0)
    fprintf(stderr, "sock_diag %d/%d failed\n", family, protocol);
  mnl_socket_close(nl);
}

static void slurp(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  while (read(fd, buf, sizeof buf) > 0) {
  }
  close(fd);
}

int main(int argc, char** argv) {
  int classic = argc > 1 && strcmp(argv[1], "--classic") == 0;
  if (classic) argv++, argc--;
  if (argc > 1) {
    char path[512];
    snprintf(path, sizeof path, "/run/netns/%s", argv[1]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
      perror(path);
      return 2;
    }
  }
  struct mnl_socket* nl = mnl_socket_open(NETLINK_ROUTE);
  if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) return 2;
  unsigned seq = (unsigned)time(NULL);
  rtnl_dump(nl, RTM_GETLINK, sizeof(struct ifinfomsg), AF_UNSPEC, seq++);
  rtnl_dump(nl, RTM_GETQDISC, sizeof(struct tcmsg), AF_UNSPEC, seq++);
  if (!classic) {
    rtnl_dump(nl, RTM_GETROUTE, sizeof(struct rtmsg), AF_UNSPEC, seq++);
    rtnl_dump(nl, RTM_GETNEIGH, sizeof(struct ndmsg), AF_UNSPEC, seq++);
    rtnl_dump(nl, RTM_GETNETCONF, sizeof(struct netconfmsg), AF_INET, seq++);
  }
  mnl_socket_close(nl);
  diag_dump(AF_INET, IPPROTO_TCP, seq++);
  diag_dump(AF_INET6, IPPROTO_TCP, seq++);
  diag_dump(AF_INET, IPPROTO_UDP, seq++);
  diag_dump(AF_INET6, IPPROTO_UDP, seq++);
  // /proc/net is the namespace of the reader (a setns'd thread sees its own via /proc/thread-self).
  const char* files[] = {"/proc/thread-self/net/snmp", "/proc/thread-self/net/netstat",
                         "/proc/thread-self/net/snmp6", "/proc/thread-self/net/softnet_stat",
                         "/proc/thread-self/net/stat/nf_conntrack"};
  for (size_t i = 0; i < (classic ? 3 : sizeof files / sizeof files[0]); i++) slurp(files[i]);
  if (classic) return 0;
  const char* sysctls[] = {"ipv4/ip_forward", "core/somaxconn", "ipv4/tcp_max_syn_backlog",
                           "core/rmem_default", "core/rmem_max", "core/wmem_default",
                           "core/wmem_max", "core/netdev_max_backlog", "core/netdev_budget",
                           "core/netdev_budget_usecs", "ipv4/udp_mem", "ipv4/udp_rmem_min",
                           "ipv4/tcp_rmem", "ipv4/tcp_syncookies", "ipv4/ipfrag_high_thresh",
                           "ipv4/ipfrag_time", "ipv6/ip6frag_high_thresh", "ipv6/ip6frag_time"};
  for (size_t i = 0; i < sizeof sysctls / sizeof sysctls[0]; i++) {
    char path[128];
    snprintf(path, sizeof path, "/proc/sys/net/%s", sysctls[i]);
    slurp(path);
  }
  return 0;
}
