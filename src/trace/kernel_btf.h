#pragma once
// Where the tracer reads the kernel's BTF: /sys/kernel/btf/vmlinux, or the file named by the
// environment variable PKTLOSS_BTF (a vmlinux BTF extracted for a kernel built without
// /sys/kernel/btf, or a missing path to see the tracer's degraded mode).
#include <string>

struct btf;

namespace pktloss {

inline constexpr const char* kKernelBtfEnv = "PKTLOSS_BTF";

std::string kernel_btf_path();
// True when PKTLOSS_BTF names the file (the BPF object is then opened against it too).
bool kernel_btf_overridden();
// The parsed BTF (free with btf__free), or nullptr with errno set.
struct btf* load_kernel_btf();

}  // namespace pktloss
