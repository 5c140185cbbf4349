#include "trace/kernel_btf.h"

#include <bpf/btf.h>

#include <cstdlib>

namespace pktloss {

std::string kernel_btf_path() {
  const char* env = std::getenv(kKernelBtfEnv);
  return env && *env ? env : "/sys/kernel/btf/vmlinux";
}

bool kernel_btf_overridden() {
  const char* env = std::getenv(kKernelBtfEnv);
  return env && *env;
}

struct btf* load_kernel_btf() {
  if (kernel_btf_overridden()) return btf__parse(kernel_btf_path().c_str(), nullptr);
  return btf__load_vmlinux_btf();
}

}  // namespace pktloss
