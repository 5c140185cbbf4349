#include "trace/kfree_skb_shape.h"

#include <bpf/btf.h>

namespace pktloss {

int kfree_skb_btf_args(const struct btf* btf) {
  if (!btf) return -1;
  int id = btf__find_by_name_kind(btf, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF);
  if (id <= 0) return -1;
  const struct btf_type* t = btf__type_by_id(btf, id);
  t = t ? btf__type_by_id(btf, t->type) : nullptr;  // the pointer
  if (!t || !btf_is_ptr(t)) return -1;
  t = btf__type_by_id(btf, t->type);  // the func proto behind it
  if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1) return -1;
  return btf_vlen(t) - 1;
}

std::optional<bool> kfree_skb_format_has_reason(const std::string& format) {
  // Field lines read "\tfield:enum skb_drop_reason reason;\toffset:28;\tsize:4;\tsigned:0;".
  bool any = false;
  for (size_t i = format.find("field:"); i != std::string::npos; i = format.find("field:", i)) {
    any = true;
    size_t end = format.find(';', i);
    if (end == std::string::npos) break;
    std::string decl = format.substr(i, end - i);
    i = end;
    size_t name = decl.find_last_of(" \t*");
    if (name != std::string::npos && decl.compare(name + 1, std::string::npos, "reason") == 0)
      return true;
  }
  if (!any) return std::nullopt;
  return false;
}

bool kfree_skb_has_reason(int btf_args, std::optional<bool> format_has_reason) {
  if (btf_args >= 0) return btf_args >= 3;
  return format_has_reason.value_or(true);
}

}  // namespace pktloss
