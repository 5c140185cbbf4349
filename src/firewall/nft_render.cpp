#include "firewall/nft_render.h"

#include <algorithm>
#include <set>
#include "firewall/nft_json_access.h"

namespace pktloss {
namespace {

using nft_json::single;
using nlohmann::json;

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? sep : "") + parts[i];
  return s;
}

// nft prints these meta keys without the "meta" keyword.
bool unqualified_meta(const std::string& k) {
  static const std::set<std::string> keys = {
      "iif",     "oif",       "iifname",  "oifname",  "iiftype", "oiftype", "skuid",    "skgid",
      "nftrace", "rtclassid", "ibrname",  "obrname",  "pkttype", "cpu",     "iifgroup", "oifgroup",
      "cgroup",  "ipsec",     "ibriport", "obriport", "mark",    "priority"};
  return keys.count(k) > 0 && k != "mark" && k != "priority";
}

std::string str_or(const json& j, const char* k, const std::string& def = "") {
  if (j.is_object() && j.contains(k) && j.at(k).is_string()) return j.at(k).get<std::string>();
  if (j.is_object() && j.contains(k) && j.at(k).is_number()) return j.at(k).dump();
  return def;
}

// Options that only change how a rule is printed: the default when absent or of another type
// (json's value() would throw and cost the whole rule).
uint64_t u64_or(const json& j, const char* k, uint64_t def = 0) {
  if (j.is_object() && j.contains(k) && j.at(k).is_number_unsigned())
    return j.at(k).get<uint64_t>();
  return def;
}
bool bool_or(const json& j, const char* k, bool def = false) {
  if (j.is_object() && j.contains(k) && j.at(k).is_boolean()) return j.at(k).get<bool>();
  return def;
}

bool is_ifname(const json& left) {
  std::string k;
  const json* v = single(left, k);
  if (!v || k != "meta") return false;
  std::string key = str_or(*v, "key");
  return key == "iifname" || key == "oifname" || key == "ibrname" || key == "obrname";
}

std::string value(const json& v, bool quote_strings = false);

std::string expr(const json& v) {
  return value(v, false);
}

std::string value(const json& v, bool quote_strings) {
  if (v.is_null()) return "";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    return quote_strings ? "\"" + s + "\"" : s;
  }
  if (v.is_array()) {
    std::vector<std::string> parts;
    for (const auto& e : v) parts.push_back(value(e, quote_strings));
    return join(parts, ",");
  }
  std::string k;
  const json* b = single(v, k);
  if (!b) return v.dump();
  if (k == "set") {
    std::vector<std::string> parts;
    if (b->is_array())
      for (const auto& e : *b) parts.push_back(value(e, quote_strings));
    else
      parts.push_back(value(*b, quote_strings));
    return "{ " + join(parts, ", ") + " }";
  }
  if (k == "prefix") return value(b->value("addr", json()), false) + "/" + str_or(*b, "len");
  if (k == "range" && b->is_array() && b->size() == 2)
    return value((*b)[0], quote_strings) + "-" + value((*b)[1], quote_strings);
  if (k == "concat" && b->is_array()) {
    std::vector<std::string> parts;
    for (const auto& e : *b) parts.push_back(value(e, quote_strings));
    return join(parts, " . ");
  }
  if (k == "elem") return value(b->value("val", json()), quote_strings);
  if (k == "payload") {
    if (b->contains("protocol")) return str_or(*b, "protocol") + " " + str_or(*b, "field");
    return "@" + str_or(*b, "base") + "," + str_or(*b, "offset") + "," + str_or(*b, "len");
  }
  if (k == "meta") {
    std::string key = str_or(*b, "key");
    return unqualified_meta(key) ? key : "meta " + key;
  }
  if (k == "ct") {
    std::string s = "ct";
    if (b->contains("dir")) s += " " + str_or(*b, "dir");
    if (b->contains("family")) s += " " + str_or(*b, "family");
    return s + " " + str_or(*b, "key");
  }
  if (k == "numgen") {
    std::string s = "numgen " + str_or(*b, "mode") + " mod " + str_or(*b, "mod");
    if (b->value("offset", 0) != 0) s += " offset " + str_or(*b, "offset");
    return s;
  }
  if (k == "&" || k == "|" || k == "^" || k == "<<" || k == ">>") {
    if (b->is_array() && b->size() == 2) return expr((*b)[0]) + " " + k + " " + expr((*b)[1]);
  }
  if (k == "fib") {
    std::vector<std::string> flags;
    if (b->contains("flags")) {
      const auto& f = b->at("flags");
      if (f.is_array())
        for (const auto& e : f) flags.push_back(value(e));
      else
        flags.push_back(value(f));
    }
    return "fib " + join(flags, " . ") + " " + str_or(*b, "result");
  }
  if (k == "exthdr" || k == "tcp option" || k == "ip option" || k == "sctp chunk") {
    std::string s = k + " " + str_or(*b, "name");
    if (b->contains("field")) s += " " + str_or(*b, "field");
    return s;
  }
  if (k == "rt" || k == "socket" || k == "osf" || k == "ipsec") return k + " " + str_or(*b, "key");
  if (k == "jhash" || k == "symhash") return k + " mod " + str_or(*b, "mod");
  return k;
}

std::string limit_text(const json& b) {
  std::string s = "limit rate ";
  if (bool_or(b, "inv")) s += "over ";
  s += str_or(b, "rate");
  if (b.contains("rate_unit") && str_or(b, "rate_unit") != "packets")
    s += " " + str_or(b, "rate_unit");
  s += "/" + str_or(b, "per", "second");
  if (const uint64_t burst = u64_or(b, "burst"); burst != 5 && burst != 0)
    s += " burst " + str_or(b, "burst") + " packets";
  return s;
}

bool contains_key(const json& j, const std::string& key, const json* want = nullptr) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == key && (!want || it.value() == *want)) return true;
      if (contains_key(it.value(), key, want)) return true;
    }
  } else if (j.is_array()) {
    for (const auto& e : j)
      if (contains_key(e, key, want)) return true;
  }
  return false;
}

void collect_ports(const json& right, std::vector<uint16_t>& out) {
  if (right.is_number_unsigned() && right.get<uint64_t>() < 65536) {
    out.push_back(static_cast<uint16_t>(right.get<uint64_t>()));
    return;
  }
  std::string k;
  const json* b = single(right, k);
  if (b && k == "set" && b->is_array())
    for (const auto& e : *b) collect_ports(e, out);
}

}  // namespace

std::string render_nft_stmt(const json& stmt) {
  std::string k;
  const json* b = single(stmt, k);
  if (!b) return stmt.dump();
  if (k == "match") {
    const json& left = b->value("left", json());
    std::string op = str_or(*b, "op", "==");
    std::string l = expr(left);
    std::string r = value(b->value("right", json()), is_ifname(left));
    if (op == "==" || op == "in") return l + " " + r;
    return l + " " + op + " " + r;
  }
  if (k == "counter") {
    if (b->is_string()) return "counter name \"" + b->get<std::string>() + "\"";
    return "counter";
  }
  if (k == "accept" || k == "drop" || k == "continue" || k == "return") return k;
  if (k == "jump" || k == "goto") return k + " " + str_or(*b, "target");
  if (k == "reject") {
    if (!b->is_object() || !b->contains("type")) return "reject";
    std::string type = str_or(*b, "type");
    if (type == "tcp reset") return "reject with tcp reset";
    std::string code = str_or(*b, "expr");
    return "reject with " + type + (code.empty() ? "" : " " + code);
  }
  if (k == "log") {
    std::string s = "log";
    if (b->is_object()) {
      if (b->contains("prefix")) s += " prefix \"" + str_or(*b, "prefix") + "\"";
      if (b->contains("level")) s += " level " + str_or(*b, "level");
      if (b->contains("group")) s += " group " + str_or(*b, "group");
    }
    return s;
  }
  if (k == "limit" && b->is_object()) return limit_text(*b);
  if (k == "xt") return "xt " + str_or(*b, "type") + " " + str_or(*b, "name");
  if (k == "vmap" && b->is_object())
    return expr(b->value("key", json())) + " vmap " + value(b->value("data", json()));
  if (k == "queue") return "queue";
  if (k == "notrack" || k == "masquerade") return k;
  if (k == "snat" || k == "dnat" || k == "redirect") {
    std::string s = k;
    if (b->is_object() && b->contains("addr")) s += " to " + value(b->at("addr"));
    if (b->is_object() && b->contains("port")) s += ":" + value(b->at("port"));
    return s;
  }
  if (k == "quota" && b->is_object())
    return "quota " + std::string(b->value("inv", false) ? "over " : "") + str_or(*b, "val") + " " +
           str_or(*b, "val_unit", "bytes");
  return k;
}

std::string render_nft_rule(const json& rule) {
  std::vector<std::string> parts;
  if (rule.contains("expr") && rule.at("expr").is_array())
    for (const auto& s : rule.at("expr")) parts.push_back(render_nft_stmt(s));
  std::string text = join(parts, " ");
  if (rule.contains("comment") && rule.at("comment").is_string())
    text += " comment \"" + rule.at("comment").get<std::string>() + "\"";
  return text;
}

std::optional<std::string> nft_text_with_counter(const json& rule, const std::string& text,
                                                 std::string& why) {
  if (!rule.contains("expr") || !rule.at("expr").is_array() || rule.at("expr").empty()) {
    why = "the rule has no statements";
    return std::nullopt;
  }
  const json& last = rule.at("expr").back();
  std::string k;
  const json* b = single(last, k);
  if (!b || (k != "drop" && k != "reject")) {
    why = k == "vmap" ? "a verdict map decides per packet: a counter before it would count every "
                        "packet it looks at, not the dropped ones"
                      : "the verdict is not the rule's last statement";
    return std::nullopt;
  }
  std::string body = text;
  if (rule.contains("comment") && rule.at("comment").is_string()) {
    std::string c = rule.at("comment").get<std::string>();
    for (unsigned char ch : c)
      if (ch == '"' || ch < 0x20 || ch == 0x7f) {
        why = "the rule's comment contains a character nft cannot quote";
        return std::nullopt;
      }
    std::string suffix = " comment \"" + c + "\"";
    if (body.size() < suffix.size() ||
        body.compare(body.size() - suffix.size(), suffix.size(), suffix) != 0) {
      why = "the rule's text does not end with its comment";
      return std::nullopt;
    }
    body.erase(body.size() - suffix.size());
  }
  std::string verdict = render_nft_stmt(last);
  if (body == verdict) return "counter " + body + text.substr(body.size());
  std::string tail = " " + verdict;
  if (body.size() < tail.size() ||
      body.compare(body.size() - tail.size(), tail.size(), tail) != 0) {
    why = "the rule's text does not end with its verdict";
    return std::nullopt;
  }
  return body.substr(0, body.size() - tail.size()) + " counter" + tail + text.substr(body.size());
}

std::string nft_rule_verdict(const json& exprs) {
  if (!exprs.is_array()) return "";
  for (auto it = exprs.rbegin(); it != exprs.rend(); ++it) {
    std::string k;
    const json* b = single(*it, k);
    if (!b) continue;
    if (k == "accept" || k == "drop" || k == "reject" || k == "jump" || k == "goto" ||
        k == "return" || k == "continue" || k == "queue" || k == "vmap")
      return k;
    if (k == "xt" && str_or(*b, "type") == "target") {
      std::string n = str_or(*b, "name");
      std::transform(n.begin(), n.end(), n.begin(), ::tolower);
      return n;
    }
  }
  return "";
}

NftRuleFacts nft_rule_facts(const json& exprs) {
  NftRuleFacts f;
  bool has_condition = false;
  if (!exprs.is_array()) return f;
  for (const auto& s : exprs) {
    std::string k;
    const json* b = single(s, k);
    if (!b) continue;
    if (k == "counter" && b->is_object()) {
      f.has_counter = true;
      // A malformed counter throws: parse_all skips that item with a note, never a silent 0.
      f.packets = b->value("packets", uint64_t{0});
      f.bytes = b->value("bytes", uint64_t{0});
    } else if (k == "match") {
      const json& left = b->value("left", json());
      // A random share of all traffic still hits all traffic: "drops 30% of all packets".
      if (!contains_key(left, "numgen") && left.dump().find("\"random\"") == std::string::npos)
        has_condition = true;
      const json& right = b->value("right", json());
      std::string op = str_or(*b, "op", "==");
      if (contains_key(left, "numgen")) {
        const json random = "random";
        f.traits.push_back(contains_key(left, "mode", &random) ? "random" : "nth");
      }
      std::string lk;
      const json* lb = single(left, lk);
      if (lb && lk == "meta" && str_or(*lb, "key") == "random") f.traits.push_back("random");
      bool positive = op == "==" || op == "in";
      if (lb && lk == "ct" && str_or(*lb, "key") == "state" && positive &&
          right.dump().find("\"invalid\"") != std::string::npos)
        f.traits.push_back("ct-invalid");
      if (lb && lk == "payload" && str_or(*lb, "field") == "dport" && positive)
        collect_ports(right, f.dports);
    } else if (k == "xt" && str_or(*b, "type") == "match") {
      has_condition = true;
    } else if (k == "limit" || k == "quota" || k == "vmap" || k == "ct count" || k == "connlimit") {
      has_condition = true;
      if (k == "limit") f.traits.push_back("rate-limited");
    }
  }
  if (!has_condition) f.traits.push_back("matches-all");
  return f;
}

}  // namespace pktloss
