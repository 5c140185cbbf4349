#include "trace/drop_reasons.h"

#include <bpf/btf.h>

#include <bpf/libbpf.h>
#include "trace/kernel_btf.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

namespace pktloss {
namespace {

// Adds every member of enum `enum_name` with `prefix` stripped.
void read_enum(const struct btf* btf, const char* enum_name, const std::string& prefix,
               std::map<uint32_t, std::string>& out) {
  int id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
  if (id < 0) return;
  const struct btf_type* t = btf__type_by_id(btf, id);
  if (!t) return;
  const struct btf_enum* e = btf_enum(t);
  for (int i = 0; i < btf_vlen(t); i++) {
    const char* n = btf__name_by_offset(btf, e[i].name_off);
    if (!n) continue;
    std::string s = n;
    if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
    out[static_cast<uint32_t>(e[i].val)] = s;
  }
}

}  // namespace

bool DropReasonNames::load_btf(std::string& error) {
  struct btf* btf = load_kernel_btf();
  if (!btf) {
    error = std::string("kernel BTF unavailable: ") + std::strerror(errno);
    return false;
  }
  std::map<uint32_t, std::string> names;
  read_enum(btf, "skb_drop_reason", "SKB_DROP_REASON_", names);
  read_enum(btf, "skb_drop_reason_subsys", "SKB_DROP_REASON_SUBSYS_", subsys_);
  btf__free(btf);
  if (names.empty()) {
    error = "kernel BTF has no enum skb_drop_reason";
    return false;
  }
  names_ = std::move(names);
  return true;
}

bool DropReasonNames::parse_tracepoint_format(const std::string& text) {
  static const std::regex entry(R"(\{\s*(\d+)\s*,\s*\"([A-Z0-9_]+)\"\s*\})");
  size_t before = names_.size();
  for (auto it = std::sregex_iterator(text.begin(), text.end(), entry);
       it != std::sregex_iterator(); ++it) {
    unsigned long v = std::stoul((*it)[1].str());
    if (v > 0xffffffffUL) continue;
    names_[static_cast<uint32_t>(v)] = (*it)[2].str();
  }
  return names_.size() > before;
}

bool DropReasonNames::load(std::string& error) {
  if (load_btf(error)) return true;
  for (const char* p : {"/sys/kernel/tracing/events/skb/kfree_skb/format",
                        "/sys/kernel/debug/tracing/events/skb/kfree_skb/format"}) {
    std::ifstream f(p);
    if (!f) continue;
    std::stringstream ss;
    ss << f.rdbuf();
    if (parse_tracepoint_format(ss.str())) return true;
  }
  return false;
}

std::string DropReasonNames::name(uint32_t value) const {
  auto it = names_.find(value);
  if (it != names_.end()) return it->second;
  uint32_t sub = value >> 16;
  if (sub != 0) {
    auto s = subsys_.find(sub);
    std::string sn = s != subsys_.end() ? s->second : std::to_string(sub);
    return "SUBSYS_" + sn + ":" + std::to_string(value & 0xffff);
  }
  return "REASON_" + std::to_string(value);
}

}  // namespace pktloss
