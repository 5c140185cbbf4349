#include "firewall/ebarp_render.h"

#include <cstdio>

#include "firewall/nft_json_access.h"

namespace pktloss {
namespace {

using nft_json::scalar;
using nft_json::single;
using nft_json::str;
using nlohmann::json;

// The verdict as ebtables/arptables print it; false when the statement is not a verdict.
bool verdict(const std::string& k, const json& b, IptRendered& r, std::string& target) {
  if (k == "drop" || k == "accept" || k == "return" || k == "continue") {
    std::string up = k;
    for (auto& c : up) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
    target = "-j " + up;
    r.verdict = k;
    return true;
  }
  if (k == "jump" || k == "goto") {
    target = "-j " + str(b, "target");
    r.verdict = k;
    r.complete = r.complete && k == "jump";
    return true;
  }
  return false;
}

std::string ether_type(const json& right) {
  std::string t = scalar(right);
  if (t == "arp") return "ARP";
  if (t == "ip") return "IPv4";
  if (t == "ip6") return "IPv6";
  if (t == "vlan") return "802_1Q";
  if (right.is_number_unsigned() && right.get<uint64_t>() <= 0xffffffffu) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", right.get<unsigned>());
    return buf;
  }
  return t;
}

}  // namespace

IptRendered render_ebtables_rule(const json& exprs) {
  IptRendered r;
  std::string proto, src, dst, in, lin, out, lout, target;
  if (!exprs.is_array()) return r.complete = false, r;
  for (const auto& s : exprs) {
    std::string k;
    const json* b = single(s, k);
    if (!b) {
      r.complete = false;
      continue;
    }
    if (k == "counter") continue;
    if (verdict(k, *b, r, target)) continue;
    if (k != "match" || str(*b, "op") != "==") {
      r.complete = false;
      r.matches_all = false;
      continue;
    }
    r.matches_all = false;
    std::string lk;
    const json& left = b->value("left", json());  // value() returns a copy: keep it alive
    const json* lb = single(left, lk);
    const json& right = b->value("right", json());
    std::string field = lb ? str(*lb, "field") : "", key = lb ? str(*lb, "key") : "";
    if (lk == "payload" && str(*lb, "protocol") == "ether" && field == "type")
      proto = "-p " + ether_type(right);
    else if (lk == "payload" && str(*lb, "protocol") == "ether" && field == "saddr")
      src = "-s " + scalar(right);
    else if (lk == "payload" && str(*lb, "protocol") == "ether" && field == "daddr")
      dst = "-d " + scalar(right);
    else if (lk == "meta" && key == "iifname")
      in = "-i " + scalar(right);
    else if (lk == "meta" && key == "oifname")
      out = "-o " + scalar(right);
    else if (lk == "meta" && key == "ibrname")
      lin = "--logical-in " + scalar(right);
    else if (lk == "meta" && key == "obrname")
      lout = "--logical-out " + scalar(right);
    else
      r.complete = false;
  }
  // ebtables-save order: protocol, addresses, interfaces, then the target.
  for (const std::string* p : {&proto, &src, &dst, &in, &lin, &out, &lout, &target})
    if (!p->empty()) r.spec += (r.spec.empty() ? "" : " ") + *p;
  return r;
}

IptRendered render_arptables_rule(const json& exprs) {
  IptRendered r;
  std::string src, dst, in, out, target;
  if (!exprs.is_array()) return r.complete = false, r;
  for (const auto& s : exprs) {
    std::string k;
    const json* b = single(s, k);
    if (!b) {
      r.complete = false;
      continue;
    }
    if (k == "counter") continue;
    if (verdict(k, *b, r, target)) continue;
    if (k != "match" || str(*b, "op") != "==") {
      r.complete = false;
      r.matches_all = false;
      continue;
    }
    std::string lk;
    const json& left = b->value("left", json());  // value() returns a copy: keep it alive
    const json* lb = single(left, lk);
    const json& right = b->value("right", json());
    std::string field = lb ? str(*lb, "field") : "", key = lb ? str(*lb, "key") : "";
    // arptables-nft pins Ethernet/IPv4 ARP in every rule; those are not user matches.
    if (lk == "payload" && str(*lb, "protocol") == "arp" &&
        ((field == "htype" && right == 1) || (field == "hlen" && right == 6) ||
         (field == "plen" && right == 4)))
      continue;
    r.matches_all = false;
    if (lk == "payload" && str(*lb, "protocol") == "arp" && field == "saddr ip")
      src = "-s " + scalar(right);
    else if (lk == "payload" && str(*lb, "protocol") == "arp" && field == "daddr ip")
      dst = "-d " + scalar(right);
    else if (lk == "meta" && key == "iifname")
      in = "-i " + scalar(right);
    else if (lk == "meta" && key == "oifname")
      out = "-o " + scalar(right);
    else
      r.complete = false;
  }
  // arptables-save prints the target first.
  for (const std::string* p : {&target, &src, &dst, &in, &out})
    if (!p->empty()) r.spec += (r.spec.empty() ? "" : " ") + *p;
  return r;
}

}  // namespace pktloss
