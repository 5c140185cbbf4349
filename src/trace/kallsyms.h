#pragma once
// Kernel text symbols from /proc/kallsyms, to turn a kfree_skb caller address into
// "function+0xoffset". Addresses read as zero (kptr_restrict, no CAP_SYSLOG) leave the table empty:
// callers then print raw addresses and add a note.
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace pktloss {

class Kallsyms {
 public:
  // Parses kallsyms text ("ffffffff81000000 T _stext [module]"); malformed lines are skipped.
  void parse(std::istream& in);
  // Loads a file; returns false (table empty) when it cannot be read.
  bool load(const std::string& path = "/proc/kallsyms");

  bool empty() const { return syms_.empty(); }
  size_t size() const { return syms_.size(); }

  // "sym+0xoff" (or "sym+0xoff [module]"); "0x<addr>" when no symbol covers the address.
  std::string resolve(uint64_t addr) const;
  // Just the function name ("" when unknown): what the drop classifier matches on.
  std::string function(uint64_t addr) const;

 private:
  // Compact: a kernel has ~100,000 text symbols and serve keeps the table for its lifetime;
  // two std::strings per symbol were 14 MB of heap, names in one blob are a third of it.
  struct Sym {
    uint64_t addr;
    uint32_t name_off;  // into names_
    uint16_t name_len;
    uint16_t module = 0;  // index into modules_; 0: the kernel itself
  };
  const Sym* lookup(uint64_t addr) const;
  std::string_view name_of(const Sym& s) const { return {names_.data() + s.name_off, s.name_len}; }
  std::vector<Sym> syms_;  // sorted by address
  std::string names_;
  std::vector<std::string> modules_{""};
};

}  // namespace pktloss
