/* LD_PRELOAD shim for integration tests: makes libnftables fail or lie, as a broken or
 * mismatched libnftables would, so pktloss's error paths run against the real binary.
 * PLT_NFT_SHIM selects how: "nullctx" (nft_ctx_new returns NULL), "fail" (every command fails),
 * "garbage" (the output is not JSON), "hostile" (JSON of the wrong shape and types). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <nftables/libnftables.h>
#include <stdlib.h>
#include <string.h>

static const char* mode(void) {
  const char* m = getenv("PLT_NFT_SHIM");
  return m ? m : "";
}

struct nft_ctx* nft_ctx_new(uint32_t flags) {
  if (strcmp(mode(), "nullctx") == 0) return NULL;
  struct nft_ctx* (*real)(uint32_t) =
      (struct nft_ctx * (*)(uint32_t)) dlsym(RTLD_NEXT, "nft_ctx_new");
  return real ? real(flags) : NULL;
}

int nft_run_cmd_from_buffer(struct nft_ctx* ctx, const char* buf) {
  if (strcmp(mode(), "fail") == 0) return -1;
  int (*real)(struct nft_ctx*, const char*) =
      (int (*)(struct nft_ctx*, const char*))dlsym(RTLD_NEXT, "nft_run_cmd_from_buffer");
  return real ? real(ctx, buf) : -1;
}

const char* nft_ctx_get_output_buffer(struct nft_ctx* ctx) {
  if (strcmp(mode(), "garbage") == 0) return "\x01\xff not json {{{ \"nftables\": [";
  if (strcmp(mode(), "hostile") == 0)
    return "{\"nftables\": [{\"metainfo\": 7}, {\"table\": []}, {\"chain\": {\"family\": 1, "
           "\"table\": null, \"name\": {}, \"hook\": 3}}, {\"rule\": {\"family\": \"inet\", "
           "\"table\": \"t\", \"chain\": \"c\", \"handle\": -5, \"expr\": [{\"counter\": "
           "{\"packets\": \"many\", \"bytes\": -1}}, {\"drop\": 1}, {\"match\": {\"left\": "
           "[[[[[]]]]], \"right\": {\"set\": 5}}}]}}, {\"rule\": {\"expr\": {}}}, 42, null]}\n";
  const char* (*real)(struct nft_ctx*) =
      (const char* (*)(struct nft_ctx*))dlsym(RTLD_NEXT, "nft_ctx_get_output_buffer");
  return real ? real(ctx) : NULL;
}
