// Definitions of the libnftables functions pktloss calls, each resolving the real one on first
// call (util/lazy_library.h). libnftables (and libjansson and libgmp, which only
// it links) is then not a DT_NEEDED of the binary: commands that read no firewall (--version,
// trace, probe, capture, check --no-firewall) no longer load and relocate it.
//
// The library is opened RTLD_GLOBAL and each function looked up with RTLD_NEXT, so an LD_PRELOAD
// library that wraps libnftables (tests/integration/shims/nft_shim.c) still comes first, as it
// did when libnftables was linked.
#include <nftables/libnftables.h>

#include "util/lazy_library.h"

namespace pktloss {
namespace {

LazyLibrary& libnftables() {
  static LazyLibrary lib("libnftables.so.1", "libnftables", LazyLibrary::Lookup::next_in_chain);
  return lib;
}

template <typename R>
R failure() {
  return lazy_failure_value<R>(-1);
}

}  // namespace
}  // namespace pktloss

#define PKTLOSS_LAZY(ret, name, params, args) \
  PKTLOSS_LAZY_FUNCTION(pktloss::libnftables(), pktloss::failure, ret, name, params, args)

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
