#pragma once
// /proc/net/stat/{arp_cache,ndisc_cache}: a header line of column names, then one row of hex
// values per CPU. Pure parser so malformed text is unit-tested.
#include <cstdint>
#include <map>
#include <string>

namespace pktloss {

// Column name -> sum over the CPU rows. "entries" is a table-wide gauge repeated on every row,
// so it is taken from the first row, not summed. Malformed cells are skipped; a row with more
// cells than the header has its extra cells ignored.
std::map<std::string, uint64_t> parse_neigh_stat(const std::string& text);

}  // namespace pktloss
