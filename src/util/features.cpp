#include "util/features.h"

#include <linux/bpf.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace pktloss {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Loads "r0 = 0; exit" as a socket filter: the smallest program the verifier accepts. Success
// means the bpf() syscall works with our privileges (the tracer needs CAP_BPF + CAP_PERFMON).
std::string bpf_load_error() {
  struct bpf_insn insns[2] = {};
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = 0
  insns[0].dst_reg = BPF_REG_0;
  insns[1].code = BPF_JMP | BPF_EXIT;
  static const char license[] = "GPL";
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insns = reinterpret_cast<uint64_t>(insns);
  attr.insn_cnt = 2;
  attr.license = reinterpret_cast<uint64_t>(license);
  long fd = ::syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  if (fd < 0) return std::string("bpf(BPF_PROG_LOAD): ") + std::strerror(errno);
  ::close(static_cast<int>(fd));
  return {};
}

Feature probe_btf(const FeatureRoots& r) {
  std::string path = r.sys + "/kernel/btf/vmlinux";
  if (exists(path)) return {"BTF", true, path};
  return {"BTF", false, path + " missing (kernel without CONFIG_DEBUG_INFO_BTF)"};
}

Feature probe_tracer(const FeatureRoots& r, bool btf) {
  Feature f{"eBPF tracer", false, ""};
  if (!btf) {
    f.detail = "needs BTF for the tp_btf/kfree_skb program";
    return f;
  }
  std::string tp;
  for (const char* dir : {"/kernel/tracing", "/kernel/debug/tracing"}) {
    std::string p = r.sys + dir + "/events/skb/kfree_skb";
    if (exists(p)) tp = p;
  }
  if (r.probe_bpf) {
    std::string err = bpf_load_error();
    if (!err.empty()) {
      f.detail = err;
      return f;
    }
  }
  f.present = true;
  f.detail = r.probe_bpf ? "bpf() loads programs" : "bpf() not probed";
  f.detail += tp.empty() ? "; tracefs not mounted, kfree_skb tracepoint not checked"
                         : "; tracepoint skb/kfree_skb";
  return f;
}

// Asks nf_tables for its ruleset generation (NFT_MSG_GETGEN): one request, one reply, a 1 s
// timeout. Works whether nf_tables is a module or built in (/sys/module shows neither reliably).
std::string nftables_error() {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) return std::string("netlink NETLINK_NETFILTER: ") + std::strerror(errno);
  struct timeval tv {
    1, 0
  };
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct {
    nlmsghdr nh;
    nfgenmsg nf;
  } req{};
  req.nh.nlmsg_len = sizeof req;
  req.nh.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  req.nh.nlmsg_seq = 1;
  req.nf.nfgen_family = AF_UNSPEC;
  req.nf.version = NFNETLINK_V0;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  std::string err;
  if (::sendto(fd, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
    err = std::string("send NFT_MSG_GETGEN: ") + std::strerror(errno);
  } else {
    alignas(nlmsghdr) char buf[8192];
    bool answered = false;
    for (int i = 0; i < 4 && !answered && err.empty(); ++i) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0) {
        err = std::string("no answer to NFT_MSG_GETGEN: ") + std::strerror(errno);
        break;
      }
      auto len = static_cast<unsigned>(n);
      for (auto* nh = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(nh, len);
           nh = NLMSG_NEXT(nh, len)) {
        if (nh->nlmsg_type == NLMSG_ERROR) {
          if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) {
            err = "truncated netlink error";
            break;
          }
          int e = reinterpret_cast<nlmsgerr*>(NLMSG_DATA(nh))->error;
          if (e != 0) err = std::string("NFT_MSG_GETGEN: ") + std::strerror(-e);
          answered = true;
          break;
        }
        if ((nh->nlmsg_type & 0xff) == NFT_MSG_NEWGEN) answered = true;
      }
    }
  }
  ::close(fd);
  return err;
}

Feature probe_nftables(const FeatureRoots& r) {
  Feature f{"nftables", false, ""};
  if (!r.probe_netlink) {
    f.detail = "netlink not probed";
    return f;
  }
  std::string err = nftables_error();
  f.present = err.empty();
  f.detail = f.present ? "nf_tables answers on nfnetlink" : err;
  return f;
}

Feature probe_iptables_legacy(const FeatureRoots& r) {
  Feature f{"iptables-legacy", false, ""};
  std::string path = r.proc + "/net/ip_tables_names";
  std::ifstream in(path);
  if (!in) {
    f.detail = path + " missing (ip_tables not loaded in this netns)";
    return f;
  }
  std::string line, tables;
  while (std::getline(in, line) && tables.size() < 200) {
    if (line.empty()) continue;
    tables += tables.empty() ? "" : ",";
    tables += line;
  }
  f.present = true;
  f.detail = "ip_tables loaded, tables: " + (tables.empty() ? std::string("none") : tables);
  return f;
}

}  // namespace

std::vector<Feature> probe_features(const FeatureRoots& roots) {
  std::vector<Feature> out;
  out.push_back(probe_btf(roots));
  out.push_back(probe_tracer(roots, out.back().present));
  out.push_back(probe_nftables(roots));
  out.push_back(probe_iptables_legacy(roots));
  return out;
}

std::string format_features(const std::vector<Feature>& features) {
  std::string out;
  for (const auto& f : features) {
    std::string name = f.name;
    name.resize(16, ' ');
    out += "  " + name + (f.present ? "yes  " : "no   ") + f.detail + "\n";
  }
  return out;
}

}  // namespace pktloss
