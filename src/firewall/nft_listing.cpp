#include "firewall/nft_listing.h"

#include <sstream>
#include <vector>

#include "firewall/ruleset.h"

namespace pktloss {
namespace {

// " # handle N" at the end of a line: N, and the line without it.
bool take_handle(std::string& line, uint64_t& handle) {
  static const std::string tag = " # handle ";
  auto p = line.rfind(tag);
  if (p == std::string::npos) return false;
  std::string num = line.substr(p + tag.size());
  if (num.empty() || num.size() > 19) return false;
  for (char c : num)
    if (c < '0' || c > '9') return false;
  handle = std::stoull(num);
  line.erase(p);
  return true;
}

std::string strip(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a);
}

// nft prints a name in double quotes when it is not a plain identifier.
std::string unquote(const std::string& s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

std::map<std::string, std::string> parse_nft_listing(const std::string& listing) {
  std::map<std::string, std::string> out;
  std::istringstream in(listing);
  std::string raw;
  std::string family, table, chain;
  int depth = 0;        // 1: in a table, 2: in a chain (or a set, map, ... when chain is "")
  std::string pending;  // a rule whose comment contains a newline spans lines
  while (std::getline(in, raw)) {
    std::string line = strip(raw);
    if (!pending.empty()) line = pending + "\n" + raw, pending.clear();
    if (line == "}") {
      if (depth == 2) chain.clear();
      if (depth > 0) --depth;
      continue;
    }
    uint64_t handle = 0;
    std::string body = line;
    bool has_handle = take_handle(body, handle);
    if (depth == 0 && body.rfind("table ", 0) == 0 && body.size() > 2 &&
        body.compare(body.size() - 2, 2, " {") == 0) {
      std::istringstream w(body.substr(6, body.size() - 8));
      w >> family >> table;
      table = unquote(table);
      depth = 1;
      continue;
    }
    if (depth == 1 && body.size() > 2 && body.compare(body.size() - 2, 2, " {") == 0) {
      depth = 2;
      chain = body.rfind("chain ", 0) == 0 ? unquote(body.substr(6, body.size() - 8)) : "";
      continue;
    }
    if (depth == 2 && !chain.empty()) {
      if (has_handle) {
        out[nft_rule_key(family, table, chain, handle)] = body;
      } else if (body.rfind("type ", 0) != 0 && body.rfind("policy ", 0) != 0 &&
                 body.rfind("comment ", 0) != 0 && body.rfind("devices ", 0) != 0 &&
                 !body.empty()) {
        pending = line;  // continued on the next line
      }
    }
  }
  return out;
}

}  // namespace pktloss
