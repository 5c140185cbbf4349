// libFuzzer target: the kernel symbol table (/proc/kallsyms text) and the kernel's drop-reason
// names (raw BTF bytes through libbpf into pktloss's enum reader, or the kfree_skb tracepoint
// format's __print_symbolic table), and the tracepoint's shape (reason or not) from the same two
// sources. Byte 0 picks the parser; for kallsyms the last 8 bytes are also looked up as an
// address.
#include <cstring>
#include <sstream>
#include <string>

#include "fuzz/fuzz_entry.h"
#include "trace/drop_reasons.h"
#include "trace/kallsyms.h"
#include "trace/kfree_skb_shape.h"

#include <bpf/btf.h>

using namespace pktloss;

PKTLOSS_FUZZ_TARGET(fuzz_kallsyms) {
  if (size < 1) return 0;
  const uint8_t* body = data + 1;
  size_t n = size - 1;
  switch (data[0] % 3) {
    case 0: {
      Kallsyms k;
      std::istringstream in(std::string(reinterpret_cast<const char*>(body), n));
      k.parse(in);
      uint64_t addr = 0xffffffff81000000ULL;
      if (n >= 8) std::memcpy(&addr, body + n - 8, 8);
      for (uint64_t a : {addr, addr + 1, addr - 1, uint64_t{0}, ~uint64_t{0}}) {
        (void)k.resolve(a);
        (void)k.function(a);
      }
      break;
    }
    case 1: {
      DropReasonNames r;
      std::string text(reinterpret_cast<const char*>(body), n);
      r.parse_tracepoint_format(text);
      (void)kfree_skb_format_has_reason(text);
      for (uint32_t v : {0u, 2u, 0x10000u, 0x20003u, 0xffffffffu}) (void)r.name(v);
      break;
    }
    case 2: {
      DropReasonNames r;
      std::string error;
      r.load_btf_data(body, n, error);
      if (struct btf* b = n <= 0xffffffffu ? btf__new(body, static_cast<__u32>(n)) : nullptr) {
        (void)kfree_skb_btf_args(b);
        btf__free(b);
      }
      for (uint32_t v : {0u, 2u, 0x10000u, 0x20003u, 0xffffffffu}) (void)r.name(v);
      break;
    }
  }
  return 0;
}
