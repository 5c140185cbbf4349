#pragma once
// Kernel features pktloss depends on, probed cheaply at run time for `pktloss --version`:
// existence checks and one tiny bpf() call, never a BTF parse or a ruleset dump.
#include <string>
#include <vector>

namespace pktloss {

struct Feature {
  std::string name;  // "BTF", "eBPF tracer", "nftables", "iptables-legacy"
  bool present = false;
  std::string detail;  // why: the file found or missing, the errno of the probe
};

// Roots are parameters so tests can point them at a fake tree.
struct FeatureRoots {
  std::string sys = "/sys";
  std::string proc = "/proc";
  bool probe_bpf = true;  // false in tests: these results depend on the machine
  bool probe_netlink = true;
};

std::vector<Feature> probe_features(const FeatureRoots& roots = {});

// "  BTF              yes  /sys/kernel/btf/vmlinux" lines, one per feature.
std::string format_features(const std::vector<Feature>& features);

}  // namespace pktloss
