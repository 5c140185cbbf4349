#include "firewall/ipt_render.h"

#include "firewall/nft_json_access.h"

namespace pktloss {
namespace {

using nft_json::scalar;
using nft_json::single;
using nft_json::str;
using nlohmann::json;

// Address in iptables-save form: always with a prefix length.
std::string address(const json& right, bool ip6, bool& ok) {
  std::string k;
  const json* b = single(right, k);
  if (b && k == "prefix") return scalar(b->value("addr", json())) + "/" + str(*b, "len");
  std::string s = scalar(right);
  ok = ok && !s.empty();
  return s + (ip6 ? "/128" : "/32");
}

std::string port_value(const json& right, bool& ok) {
  std::string k;
  const json* b = single(right, k);
  if (b && k == "range" && b->is_array() && b->size() == 2)
    return scalar((*b)[0]) + ":" + scalar((*b)[1]);
  std::string s = scalar(right);
  ok = ok && !s.empty();
  return s;
}

std::string reject_with(const json& b, const std::string& family) {
  std::string type = str(b, "type"), code = str(b, "expr");
  if (type == "tcp reset") return "tcp-reset";
  if (code.empty()) code = "port-unreachable";
  if (code == "admin-prohibited") code = family == "ip6" ? "adm-prohibited" : "admin-prohibited";
  return (family == "ip6" ? "icmp6-" : "icmp-") + code;
}

std::string limit_unit(const std::string& per) {
  if (per == "second") return "sec";
  if (per == "minute") return "min";
  return per;
}

}  // namespace

std::string ipt_rule_text(const std::string& chain, const std::string& spec) {
  return "-A " + chain + (spec.empty() ? "" : " " + spec);
}

IptRendered render_ipt_rule(const json& exprs, const std::vector<XtBlob>& xt,
                            const std::string& family) {
  IptRendered r;
  const bool ip6 = family == "ip6";
  std::string src, dst, in, out, proto, l4;  // iptables-save prints these first, in this order
  std::string matches, target;
  std::string port_match;  // the implicit "-m tcp"/"-m udp" group built from nft payload matches
  size_t port_match_at = std::string::npos;
  size_t xt_index = 0;
  bool& ok = r.complete;
  if (!exprs.is_array()) {
    r.complete = false;
    return r;
  }
  for (const auto& s : exprs) {
    std::string k;
    const json* b = single(s, k);
    if (!b) {
      ok = false;
      continue;
    }
    if (k == "match") {
      r.matches_all = false;
      const json& left = b->value("left", json());
      const json& right = b->value("right", json());
      std::string op = str(*b, "op");
      std::string neg = op == "!=" ? "! " : "";
      if (op != "==" && op != "!=" && op != "in") ok = false;
      std::string lk;
      const json* lb = single(left, lk);
      if (!lb) {
        ok = false;
        continue;
      }
      std::string field = str(*lb, "field"), protocol = str(*lb, "protocol"), key = str(*lb, "key");
      if (lk == "payload" && (protocol == "ip" || protocol == "ip6") &&
          (field == "saddr" || field == "daddr")) {
        (field == "saddr" ? src : dst) =
            neg + (field == "saddr" ? "-s " : "-d ") + address(right, ip6, ok);
      } else if (lk == "meta" && (key == "iifname" || key == "oifname")) {
        std::string name = scalar(right);
        if (!name.empty() && name.back() == '*') name.back() = '+';
        (key == "iifname" ? in : out) = neg + (key == "iifname" ? "-i " : "-o ") + name;
      } else if ((lk == "meta" && key == "l4proto") ||
                 (lk == "payload" && ((protocol == "ip" && field == "protocol") ||
                                      (protocol == "ip6" && field == "nexthdr")))) {
        std::string p = right.is_number() ? ipt_proto_name(right.get<unsigned>()) : scalar(right);
        if (p == "icmpv6") p = "ipv6-icmp";
        proto = neg + "-p " + p;
        l4 = p;
      } else if (lk == "payload" && (protocol == "tcp" || protocol == "udp") &&
                 (field == "sport" || field == "dport")) {
        if (port_match.empty()) {
          port_match = "-m " + protocol;
          port_match_at = matches.size();
        }
        port_match +=
            std::string(neg.empty() ? "" : " !") + " --" + field + " " + port_value(right, ok);
        if (field == "dport" && neg.empty() && right.is_number())
          r.dports.push_back(static_cast<uint16_t>(right.get<unsigned>()));
        if (l4.empty()) l4 = protocol;
      } else {
        ok = false;  // tcp flags, marks, ct via native expressions... not rendered
      }
    } else if (k == "counter") {
      // counters are evidence, not part of the rule text
    } else if (k == "xt") {
      bool is_target = str(*b, "type") == "target";
      // A random share or a comment still applies to all traffic: "drops 30% of all packets".
      std::string xt_name = str(*b, "name");
      if (!is_target && xt_name != "statistic" && xt_name != "comment") r.matches_all = false;
      if (xt_index >= xt.size()) {
        ok = false;
        (is_target ? target : matches) += (is_target ? " -j " : " -m ") + str(*b, "name");
        if (is_target) r.verdict = "xt";
        continue;
      }
      const XtBlob& blob = xt[xt_index++];
      XtDecoded d = is_target ? decode_xt_target(blob, family) : decode_xt_match(blob, family);
      ok = ok && d.complete;
      r.traits.insert(r.traits.end(), d.traits.begin(), d.traits.end());
      r.dports.insert(r.dports.end(), d.dports.begin(), d.dports.end());
      if (is_target) {
        target = d.text;
        r.verdict = d.verdict;
      } else {
        matches += d.text;
      }
    } else if (k == "limit" && b->is_object()) {
      r.matches_all = false;
      r.traits.push_back("rate-limited");
      matches += " -m limit --limit " + str(*b, "rate") + "/" + limit_unit(str(*b, "per"));
      if (b->value("burst", 5) != 5) matches += " --limit-burst " + str(*b, "burst");
      if (b->value("inv", false)) ok = false;
    } else if (k == "drop" || k == "accept" || k == "return") {
      std::string up = k == "drop" ? "DROP" : k == "accept" ? "ACCEPT" : "RETURN";
      target = " -j " + up;
      r.verdict = k;
    } else if (k == "jump" || k == "goto") {
      target = (k == "jump" ? " -j " : " -g ") + str(*b, "target");
      r.verdict = k;
    } else if (k == "reject") {
      target = " -j REJECT --reject-with " + reject_with(*b, family);
      r.verdict = "reject";
    } else if (k == "log") {
      target = " -j LOG";
      if (b->is_object() && b->contains("prefix"))
        target += " --log-prefix \"" + str(*b, "prefix") + "\"";
      r.verdict = "log";
    } else {
      ok = false;
    }
  }
  if (!port_match.empty()) {
    matches.insert(port_match_at, " " + port_match);
    if (proto.empty()) proto = "-p " + l4;
  }
  std::string spec;
  for (const std::string* p : {&src, &dst, &in, &out, &proto})
    if (!p->empty()) spec += " " + *p;
  spec += matches + target;
  r.spec = spec.empty() ? spec : spec.substr(1);
  if (r.matches_all && !src.empty()) r.matches_all = false;
  return r;
}

}  // namespace pktloss
