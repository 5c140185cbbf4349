#include "firewall/fw_args.h"

namespace pktloss {

std::vector<std::string> split_ipt_save_args(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool have = false, quoted = false, escaped = false;
  for (char c : line) {
    if (quoted) {
      if (escaped) {
        cur += c;
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      have = true;  // "" is an (empty) argument
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (have) out.push_back(cur);
      cur.clear();
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (have) out.push_back(cur);
  return out;
}

bool xt_text_does_not_round_trip(const std::string& match_name) {
  return match_name == "recent" || match_name == "connlimit";
}

std::optional<std::string> nft_name(const std::string& name) {
  if (name.empty()) return std::nullopt;
  bool plain = !(name[0] >= '0' && name[0] <= '9');
  for (unsigned char c : name) {
    if (c == '"' || c < 0x20 || c == 0x7f) return std::nullopt;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.'))
      plain = false;
  }
  return plain ? name : "\"" + name + "\"";
}

}  // namespace pktloss
