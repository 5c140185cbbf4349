// libFuzzer target: x_tables match and target blobs (iptables-nft's xt compat expressions,
// iptables-legacy's entries; kernel bytes) into iptables-save text, both ways pktloss has: its
// own decoder (xt_decode, in process), and the extension's own save callback through libxtables
// exactly as pktloss calls it (xt_save: a forked child, so an extension that crashes or exits on
// a blob costs only that item's text; the parent must come back with an answer for every item).
// The extensions are not instrumented (system libraries), so the child is not where coverage
// comes from; what is fuzzed there is pktloss's side: the entry it builds, the size checks, the
// record protocol and the recovery after a child died.
// Input: byte 0: bit 0 match/target, bit 1 ip/ip6, bits 2+3 both set: also through libxtables; byte
// 1: revision; byte 2: protocol of the rule header; then the extension's name, a NUL, and the blob.
// Extension names are in the dictionary (fuzz/dict/fuzz_xt_blob.dict).
#include <cstring>
#include <string>
#include <vector>

#include "firewall/xt_decode.h"
#include "firewall/xt_save.h"
#include "fuzz/fuzz_entry.h"

using namespace pktloss;

PKTLOSS_FUZZ_TARGET(fuzz_xt_blob) {
  if (size < 3) return 0;
  const char* rest = reinterpret_cast<const char*>(data + 3);
  size_t n = size - 3;
  const void* nul = std::memchr(rest, 0, n);
  if (!nul) return 0;
  size_t name_len = static_cast<const char*>(nul) - rest;
  XtBlob blob;
  blob.kind = (data[0] & 1) ? "target" : "match";
  blob.name.assign(rest, name_len);
  blob.revision = data[1];
  blob.info.assign(data + 3 + name_len + 1, data + size);
  std::string family = (data[0] & 2) ? "ip6" : "ip";
  XtDecoded d =
      blob.kind == "match" ? decode_xt_match(blob, family) : decode_xt_target(blob, family);
  (void)d;
  (void)ipt_proto_name(data[2]);
  // A fork per input is slow (ASan's shadow): one input in four, the rest stay in process.
  if ((data[0] & 12) == 12) {
    // Two items: the second must be answered even when the first kills its child.
    XtSaveItem item;
    item.blob = blob;
    item.proto = data[2];
    XtSaveItem plain;
    plain.blob.kind = "match";
    plain.blob.name = "comment";
    plain.blob.info.assign(256, 'x');
    plain.blob.info.back() = 0;
    std::vector<XtSaved> out = xt_save({item, plain}, family);
    if (out.size() != 2) __builtin_trap();
    for (const XtSaved& o : out)
      if (!o.ok && o.error.empty()) __builtin_trap();  // an answer, or a reason
  }
  return 0;
}
