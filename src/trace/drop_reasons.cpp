#include "trace/drop_reasons.h"

#include <bpf/btf.h>

#include <bpf/libbpf.h>
#include "trace/kernel_btf.h"

#include <cerrno>
#include <cstring>
#include <fstream>
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
  return take_btf(btf, error);
}

bool DropReasonNames::load_btf_data(const void* data, size_t size, std::string& error) {
  if (size > 0xffffffffu) {
    error = "BTF data too large";
    return false;
  }
  struct btf* btf = btf__new(data, static_cast<__u32>(size));
  if (!btf) {
    error = std::string("BTF data does not parse: ") + std::strerror(errno);
    return false;
  }
  return take_btf(btf, error);
}

bool DropReasonNames::take_btf(struct btf* btf, std::string& error) {
  std::map<uint32_t, std::string> names, subsys;
  read_enum(btf, "skb_drop_reason", "SKB_DROP_REASON_", names);
  read_enum(btf, "skb_drop_reason_subsys", "SKB_DROP_REASON_SUBSYS_", subsys);
  btf__free(btf);
  if (names.empty()) {
    error = "kernel BTF has no enum skb_drop_reason";
    return false;
  }
  names_ = std::move(names);
  subsys_ = std::move(subsys);
  return true;
}

// Entries of the __print_symbolic table: `{ 2, "NOT_SPECIFIED" }`. A hand-written scanner, not
// std::regex (whose backtracking recurses per character and can exhaust the stack on a long
// line) nor std::stoul (which throws on a number above its range).
bool DropReasonNames::parse_tracepoint_format(const std::string& text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t before = names_.size();
  const size_t n = text.size();
  for (size_t i = text.find('{'); i != std::string::npos; i = text.find('{', i)) {
    size_t p = i + 1;
    i = p;
    while (p < n && is_space(text[p])) ++p;
    uint64_t v = 0;
    size_t digits = 0;
    while (p < n && text[p] >= '0' && text[p] <= '9') {
      if (v <= 0xffffffffULL) v = v * 10 + static_cast<uint64_t>(text[p] - '0');
      ++p;
      ++digits;
    }
    if (digits == 0) continue;
    while (p < n && is_space(text[p])) ++p;
    if (p >= n || text[p] != ',') continue;
    ++p;
    while (p < n && is_space(text[p])) ++p;
    if (p >= n || text[p] != '"') continue;
    size_t name_start = ++p;
    while (p < n && ((text[p] >= 'A' && text[p] <= 'Z') || (text[p] >= '0' && text[p] <= '9') ||
                     text[p] == '_'))
      ++p;
    if (p == name_start || p >= n || text[p] != '"') continue;
    std::string name = text.substr(name_start, p - name_start);
    ++p;
    while (p < n && is_space(text[p])) ++p;
    if (p >= n || text[p] != '}') continue;
    if (v <= 0xffffffffULL) names_[static_cast<uint32_t>(v)] = std::move(name);
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

bool DropReasonNames::value_of(const std::string& name, uint32_t& value) const {
  for (const auto& [v, n] : names_)
    if (n == name) {
      value = v;
      return true;
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
