#include "trace/kallsyms.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>

namespace pktloss {

namespace {

// Next space-separated field of `line` from `pos` ("" at the end).
std::string_view field(std::string_view line, size_t& pos) {
  while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
  size_t start = pos;
  while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t') ++pos;
  return line.substr(start, pos - start);
}

}  // namespace

void Kallsyms::parse(std::istream& in) {
  syms_.clear();
  names_.clear();
  modules_.assign(1, "");
  std::string line;
  while (std::getline(in, line)) {
    size_t pos = 0;
    std::string_view addr_s = field(line, pos), type = field(line, pos), name = field(line, pos);
    std::string_view module = field(line, pos);
    if (name.empty()) continue;
    // Only text symbols can be a caller address.
    if (type.size() != 1 || (type[0] != 't' && type[0] != 'T')) continue;
    uint64_t addr = 0;
    auto [p, ec] = std::from_chars(addr_s.data(), addr_s.data() + addr_s.size(), addr, 16);
    if (ec != std::errc() || p != addr_s.data() + addr_s.size() || addr == 0) continue;
    if (name.size() > UINT16_MAX || names_.size() + name.size() > UINT32_MAX) continue;
    uint16_t mod = 0;
    if (module.size() >= 2 && module.front() == '[' && module.back() == ']') {
      module = module.substr(1, module.size() - 2);
      // Symbols of one module are listed together: the last one is nearly always the same.
      if (modules_.back() != module) {
        if (modules_.size() > UINT16_MAX) continue;
        modules_.emplace_back(module);
      }
      mod = static_cast<uint16_t>(modules_.size() - 1);
    }
    syms_.push_back(
        {addr, static_cast<uint32_t>(names_.size()), static_cast<uint16_t>(name.size()), mod});
    names_.append(name);
  }
  std::stable_sort(syms_.begin(), syms_.end(),
                   [](const Sym& a, const Sym& b) { return a.addr < b.addr; });
  syms_.shrink_to_fit();
  names_.shrink_to_fit();
}

bool Kallsyms::load(const std::string& path) {
  std::ifstream f(path);
  if (!f) return false;
  parse(f);
  return !syms_.empty();
}

const Kallsyms::Sym* Kallsyms::lookup(uint64_t addr) const {
  auto it = std::upper_bound(syms_.begin(), syms_.end(), addr,
                             [](uint64_t a, const Sym& s) { return a < s.addr; });
  if (it == syms_.begin()) return nullptr;
  const Sym* s = &*(it - 1);
  // An address far past the last symbol is not inside it (1 MiB is far larger than any function).
  if (addr - s->addr > (1u << 20)) return nullptr;
  return s;
}

std::string Kallsyms::resolve(uint64_t addr) const {
  char buf[32];
  const Sym* s = lookup(addr);
  if (!s) {
    std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(addr));
    return buf;
  }
  std::snprintf(buf, sizeof(buf), "+0x%llx", static_cast<unsigned long long>(addr - s->addr));
  std::string out = std::string(name_of(*s)) + buf;
  if (s->module) out += " [" + modules_[s->module] + "]";
  return out;
}

std::string Kallsyms::function(uint64_t addr) const {
  const Sym* s = lookup(addr);
  return s ? std::string(name_of(*s)) : std::string();
}

}  // namespace pktloss
