#pragma once
// Small, total accessors for libnftables JSON: every renderer walks the same shapes
// ({"key": value} statements, optional string fields) and none may throw on odd input.
#include <nlohmann/json.hpp>
#include <string>

namespace pktloss::nft_json {

using nlohmann::json;

// A one-key object {"key": value}: the value, with its key in `key`; nullptr otherwise.
inline const json* single(const json& obj, std::string& key) {
  if (!obj.is_object() || obj.size() != 1) return nullptr;
  key = obj.begin().key();
  return &obj.begin().value();
}

// Field `k` as text (non-strings dumped), "" when absent.
inline std::string str(const json& j, const char* k) {
  if (!j.is_object() || !j.contains(k)) return "";
  const json& v = j.at(k);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// A string or number as text, "" for anything else.
inline std::string scalar(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  return "";
}

}  // namespace pktloss::nft_json
