#include "trace/kallsyms.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace pktloss {

void Kallsyms::parse(std::istream& in) {
  syms_.clear();
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string addr_s, type, name, module;
    if (!(ls >> addr_s >> type >> name)) continue;
    ls >> module;
    // Only text symbols can be a caller address.
    if (type.size() != 1 || (type[0] != 't' && type[0] != 'T')) continue;
    uint64_t addr = 0;
    auto [p, ec] = std::from_chars(addr_s.data(), addr_s.data() + addr_s.size(), addr, 16);
    if (ec != std::errc() || p != addr_s.data() + addr_s.size() || addr == 0) continue;
    if (module.size() >= 2 && module.front() == '[' && module.back() == ']')
      module = module.substr(1, module.size() - 2);
    else
      module.clear();
    syms_.push_back({addr, std::move(name), std::move(module)});
  }
  std::stable_sort(syms_.begin(), syms_.end(),
                   [](const Sym& a, const Sym& b) { return a.addr < b.addr; });
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
  std::string out = s->name + buf;
  if (!s->module.empty()) out += " [" + s->module + "]";
  return out;
}

std::string Kallsyms::function(uint64_t addr) const {
  const Sym* s = lookup(addr);
  return s ? s->name : std::string();
}

}  // namespace pktloss
