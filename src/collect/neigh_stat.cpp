#include "collect/neigh_stat.h"

#include <sstream>
#include <vector>

namespace pktloss {

std::map<std::string, uint64_t> parse_neigh_stat(const std::string& text) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(text);
  std::string header, line;
  if (!std::getline(in, header)) return out;
  std::vector<std::string> names;
  std::istringstream hs(header);
  for (std::string n; hs >> n;) names.push_back(n);
  bool first = true;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string v;
    for (size_t i = 0; i < names.size() && ls >> v; ++i) {
      uint64_t x = 0;
      try {
        size_t used = 0;
        x = std::stoull(v, &used, 16);
        if (used != v.size()) continue;
      } catch (const std::exception&) {
        continue;
      }
      if (names[i] == "entries") {
        if (first) out[names[i]] = x;
      } else {
        out[names[i]] += x;
      }
    }
    first = false;
  }
  return out;
}

}  // namespace pktloss
