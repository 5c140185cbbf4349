#pragma once
// Kernel text symbols from /proc/kallsyms, to turn a kfree_skb caller address into
// "function+0xoffset". Addresses read as zero (kptr_restrict, no CAP_SYSLOG) leave the table empty:
// callers then print raw addresses and add a note.
#include <cstdint>
#include <istream>
#include <string>
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
  struct Sym {
    uint64_t addr;
    std::string name;
    std::string module;
  };
  const Sym* lookup(uint64_t addr) const;
  std::vector<Sym> syms_;  // sorted by address
};

}  // namespace pktloss
