// Definitions of the libnftables functions pktloss calls, each resolving the real one on first
// call (the pattern of trace/libbpf_lazy.cpp). libnftables (and libjansson and libgmp, which only
// it links) is then not a DT_NEEDED of the binary: commands that read no firewall (--version,
// trace, probe, capture, check --no-firewall) no longer load and relocate it.
//
// The library is opened RTLD_GLOBAL and each function looked up with RTLD_NEXT, so an LD_PRELOAD
// library that wraps libnftables (tests/integration/shims/nft_shim.c) still comes first, as it
// did when libnftables was linked.
#include <dlfcn.h>
#include <nftables/libnftables.h>

#include <mutex>
#include <type_traits>

namespace pktloss {
namespace {

std::once_flag g_once;

void* lazy_sym(const char* name) {
  std::call_once(g_once, [] { dlopen("libnftables.so.1", RTLD_NOW | RTLD_GLOBAL); });
  return dlsym(RTLD_NEXT, name);
}

template <typename R>
R failure() {
  if constexpr (std::is_void_v<R>)
    return;
  else if constexpr (std::is_pointer_v<R>)
    return nullptr;
  else
    return static_cast<R>(-1);
}

}  // namespace
}  // namespace pktloss

#define PKTLOSS_LAZY(ret, name, params, args)                      \
  ret name params {                                                \
    using Fn = decltype(&name);                                    \
    static Fn fn = reinterpret_cast<Fn>(pktloss::lazy_sym(#name)); \
    if (!fn) return pktloss::failure<ret>();                       \
    return fn args;                                                \
  }

extern "C" {
PKTLOSS_LAZY(struct nft_ctx*, nft_ctx_new, (uint32_t flags), (flags))
PKTLOSS_LAZY(void, nft_ctx_free, (struct nft_ctx * ctx), (ctx))
PKTLOSS_LAZY(void, nft_ctx_output_set_flags, (struct nft_ctx * ctx, unsigned int flags),
             (ctx, flags))
PKTLOSS_LAZY(int, nft_ctx_buffer_output, (struct nft_ctx * ctx), (ctx))
PKTLOSS_LAZY(int, nft_ctx_buffer_error, (struct nft_ctx * ctx), (ctx))
PKTLOSS_LAZY(const char*, nft_ctx_get_output_buffer, (struct nft_ctx * ctx), (ctx))
PKTLOSS_LAZY(const char*, nft_ctx_get_error_buffer, (struct nft_ctx * ctx), (ctx))
PKTLOSS_LAZY(int, nft_run_cmd_from_buffer, (struct nft_ctx * nft, const char* buf), (nft, buf))
}
