#pragma once
// The match and target blobs of a legacy ipt_entry / ip6t_entry: both lay out their matches
// between the fixed header and target_offset, then the target up to next_offset. One walker
// for both families; every size is bounds-checked because the kernel's bytes are untrusted.
#include <linux/netfilter/x_tables.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "firewall/legacy.h"

namespace pktloss {

template <typename Entry>
void take_entry_blobs(const Entry* e, const char* target, LegacyRule& r) {
  size_t off = sizeof(Entry);
  const auto* base = reinterpret_cast<const uint8_t*>(e);
  while (off + sizeof(xt_entry_match) <= e->target_offset) {
    const auto* m = reinterpret_cast<const xt_entry_match*>(base + off);
    size_t size = m->u.match_size;
    if (size < sizeof(xt_entry_match) || off + size > e->target_offset) break;
    XtBlob b;
    b.kind = "match";
    b.name = std::string(m->u.user.name, strnlen(m->u.user.name, sizeof m->u.user.name));
    b.revision = m->u.user.revision;
    b.info.assign(m->data, m->data + (size - sizeof(xt_entry_match)));
    r.matches.push_back(std::move(b));
    off += size;
  }
  r.target = target ? target : "";
  if (!r.target.empty() && r.target != "DROP" && r.target != "ACCEPT" && r.target != "RETURN" &&
      e->target_offset + sizeof(xt_entry_target) <= e->next_offset) {
    const auto* t = reinterpret_cast<const xt_entry_target*>(base + e->target_offset);
    std::string tname(t->u.user.name, strnlen(t->u.user.name, sizeof t->u.user.name));
    // A jump to a user chain is a standard target with an empty name here.
    if (!tname.empty() && tname != XT_STANDARD_TARGET && tname != XT_ERROR_TARGET) {
      size_t size = t->u.target_size;
      if (size >= sizeof(xt_entry_target) && e->target_offset + size <= e->next_offset) {
        r.target_blob.kind = "target";
        r.target_blob.name = tname;
        r.target_blob.revision = t->u.user.revision;
        r.target_blob.info.assign(t->data, t->data + (size - sizeof(xt_entry_target)));
      }
    }
  }
}

}  // namespace pktloss
