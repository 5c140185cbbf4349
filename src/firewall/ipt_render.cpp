#include "firewall/ipt_render.h"

#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_tcpudp.h>

#include <netdb.h>

#include <cstring>

#include "firewall/ipt_header.h"
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

template <typename T>
XtBlob blob_of(const char* name, uint32_t revision, const T& info) {
  XtBlob b;
  b.kind = "match";
  b.name = name;
  b.revision = revision;
  // x_tables data is XT_ALIGNed, as iptables-nft passes it.
  b.info.assign(XT_ALIGN(sizeof(T)), 0);
  std::memcpy(b.info.data(), &info, sizeof(T));
  return b;
}

// A port match as the [min, max] range xt_tcp/xt_udp keep; false when it is not one.
bool port_range(const std::string& op, const json& right, uint16_t out[2], bool& inv) {
  std::string k;
  const json* b = single(right, k);
  inv = op == "!=";
  if (b && k == "range" && b->is_array() && b->size() == 2 && (*b)[0].is_number_unsigned() &&
      (*b)[1].is_number_unsigned() && (op == "==" || op == "!=")) {
    out[0] = static_cast<uint16_t>((*b)[0].get<unsigned>());
    out[1] = static_cast<uint16_t>((*b)[1].get<unsigned>());
    return true;
  }
  if (!right.is_number_unsigned() || right.get<uint64_t>() > 65535) return false;
  uint16_t v = static_cast<uint16_t>(right.get<unsigned>());
  if (op == "==" || op == "!=") {
    out[0] = out[1] = v;
  } else if (op == "<=") {
    out[0] = 0, out[1] = v;
  } else if (op == ">=") {
    out[0] = v, out[1] = 0xffff;
  } else {
    return false;
  }
  return true;
}

// TCP flag names as nft prints them, to the bits xt_tcp keeps.
bool tcp_flag_bits(const json& v, uint8_t& bits) {
  static const std::pair<const char*, uint8_t> names[] = {
      {"fin", 0x01}, {"syn", 0x02}, {"rst", 0x04}, {"psh", 0x08},
      {"ack", 0x10}, {"urg", 0x20}, {"ecn", 0x40}, {"cwr", 0x80}};
  if (v.is_number_unsigned()) {
    bits = static_cast<uint8_t>(v.get<unsigned>());
    return v.get<unsigned>() < 256;
  }
  if (v.is_string()) {
    for (auto& [n, b] : names)
      if (v.get<std::string>() == n) {
        bits |= b;
        return true;
      }
    return false;
  }
  if (v.is_array()) {
    for (const auto& e : v)
      if (!tcp_flag_bits(e, bits)) return false;
    return true;
  }
  std::string k;
  const json* b = single(v, k);
  if (b && k == "|" && b->is_array()) return tcp_flag_bits(*b, bits);
  return false;
}

}  // namespace

std::string ipt_rule_text(const std::string& chain, const std::string& spec) {
  return "-A " + chain + (spec.empty() ? "" : " " + spec);
}

IptRendered render_ipt_rule(const json& exprs, const std::vector<XtBlob>& xt,
                            const std::string& family, const XtTextFn& xt_text) {
  IptRendered r;
  const bool ip6 = family == "ip6";
  std::string src, dst, in, out, proto, frag, l4;  // iptables-save prints these first, in order
  // The matches in rule order; a piece is fixed text or an xt item printed by libxtables.
  struct Piece {
    std::string text;  // fallback (or only) text
    std::optional<XtSaveItem> item;
  };
  std::vector<Piece> matches;
  Piece target;
  // The implicit "-m tcp"/"-m udp" iptables-nft spreads over payload matches, rebuilt as one.
  xt_tcp tcp{};
  xt_udp udp{};
  tcp.spts[1] = tcp.dpts[1] = udp.spts[1] = udp.dpts[1] = 0xffff;
  std::string port_proto, port_text;
  size_t port_at = 0;
  size_t xt_index = 0;
  bool& ok = r.complete;
  auto partial = [&](const std::string& why) {
    ok = false;
    if (r.partial_reason.empty()) r.partial_reason = why;
  };
  if (!exprs.is_array()) {
    partial("rule without expressions");
    return r;
  }
  for (const auto& s : exprs) {
    std::string k;
    const json* b = single(s, k);
    if (!b) {
      partial("unexpected expression shape");
      continue;
    }
    if (k == "match") {
      r.matches_all = false;
      const json& left = b->value("left", json());
      const json& right = b->value("right", json());
      std::string op = str(*b, "op");
      std::string neg = op == "!=" ? "! " : "";
      std::string lk;
      const json* lb = single(left, lk);
      if (!lb) {
        partial("match on an expression iptables has no option for");
        continue;
      }
      // {"&": [X, MASK]}: a masked match (tcp flags, mark).
      const json* masked = nullptr;
      const json* mask = nullptr;
      if (lk == "&" && lb->is_array() && lb->size() == 2) {
        std::string mk;
        masked = single((*lb)[0], mk);
        mask = &(*lb)[1];
        lk = mk;
        lb = masked;
        if (!lb) {
          partial("masked match iptables has no option for");
          continue;
        }
      }
      std::string field = str(*lb, "field"), protocol = str(*lb, "protocol"), key = str(*lb, "key");
      bool eq = op == "==" || op == "!=";
      if (!mask && eq && lk == "payload" && (protocol == "ip" || protocol == "ip6") &&
          (field == "saddr" || field == "daddr")) {
        (field == "saddr" ? src : dst) =
            neg + (field == "saddr" ? "-s " : "-d ") + address(right, ip6, ok);
      } else if (mask && eq && mask->is_string() && right.is_string() && lk == "payload" &&
                 (protocol == "ip" || protocol == "ip6") &&
                 (field == "saddr" || field == "daddr")) {
        // A non-contiguous mask: iptables-save prints it in full ("-d 10.0.0.0/255.0.255.0").
        (field == "saddr" ? src : dst) = neg + (field == "saddr" ? "-s " : "-d ") +
                                         right.get<std::string>() + "/" + mask->get<std::string>();
      } else if (mask && eq && !ip6 && lk == "payload" && protocol == "ip" && field == "frag-off" &&
                 mask->is_number_unsigned() && mask->get<unsigned>() == 0x1fff &&
                 right.is_number_unsigned() && right.get<unsigned>() == 0) {
        frag = op == "!=" ? "-f" : "! -f";  // -f: a fragment other than the first
      } else if (!mask && eq && lk == "meta" && (key == "iifname" || key == "oifname")) {
        std::string name = scalar(right);
        if (!name.empty() && name.back() == '*') name.back() = '+';
        (key == "iifname" ? in : out) = neg + (key == "iifname" ? "-i " : "-o ") + name;
      } else if (!mask && eq &&
                 ((lk == "meta" && key == "l4proto") ||
                  (lk == "payload" && ((protocol == "ip" && field == "protocol") ||
                                       (protocol == "ip6" && field == "nexthdr"))))) {
        // iptables-save names the protocol its own way (libxtables' list, then /etc/protocols).
        int num = right.is_number_unsigned() ? right.get<int>() : -1;
        if (right.is_string()) {
          std::string n = right.get<std::string>() == "icmpv6" ? "ipv6-icmp" : scalar(right);
          protoent pe{}, *res = nullptr;
          char buf[1024];
          if (getprotobyname_r(n.c_str(), &pe, buf, sizeof buf, &res) == 0 && res)
            num = res->p_proto;
        }
        if (num > 0 && num < 256) {
          proto = save_proto(static_cast<uint16_t>(num), !neg.empty());
        } else {
          proto = neg + "-p " + scalar(right);
          partial("protocol name not known here");
        }
        l4 = proto.substr(proto.rfind(' ') + 1);
      } else if (!mask && lk == "payload" && (protocol == "tcp" || protocol == "udp") &&
                 (field == "sport" || field == "dport")) {
        if (port_proto.empty()) {
          port_proto = protocol;
          port_at = matches.size();
        }
        uint16_t range[2];
        bool inv = false;
        if (protocol != port_proto || !port_range(op, right, range, inv)) {
          partial("port match iptables has no option for");
          continue;
        }
        uint8_t flag = field == "sport" ? XT_TCP_INV_SRCPT : XT_TCP_INV_DSTPT;
        uint16_t* pts = protocol == "tcp" ? (field == "sport" ? tcp.spts : tcp.dpts)
                                          : (field == "sport" ? udp.spts : udp.dpts);
        pts[0] = range[0];
        pts[1] = range[1];
        if (inv) (protocol == "tcp" ? tcp.invflags : udp.invflags) |= flag;
        port_text +=
            std::string(inv ? " !" : "") + " --" + field + " " +
            (range[0] == range[1] ? std::to_string(range[0])
                                  : std::to_string(range[0]) + ":" + std::to_string(range[1]));
        if (field == "dport" && !inv && range[0] == range[1]) r.dports.push_back(range[0]);
        if (l4.empty()) l4 = protocol;
      } else if (mask && eq && lk == "payload" && protocol == "tcp" && field == "flags") {
        if (port_proto.empty()) {
          port_proto = "tcp";
          port_at = matches.size();
        }
        uint8_t m = 0, c = 0;
        if (port_proto != "tcp" || !tcp_flag_bits(*mask, m) || !tcp_flag_bits(right, c)) {
          partial("tcp flags iptables has no option for");
          continue;
        }
        tcp.flg_mask = m;
        tcp.flg_cmp = c;
        if (op == "!=") tcp.invflags |= XT_TCP_INV_FLAGS;
        port_text += " --tcp-flags ...";  // only the libxtables text is exact here
        if (!xt_text) partial("tcp flags printed without libxtables");
        if (l4.empty()) l4 = "tcp";
      } else if (eq && lk == "meta" && key == "mark" && right.is_number_unsigned()) {
        xt_mark_mtinfo1 mi{};
        mi.mark = right.get<uint32_t>();
        mi.mask = mask && mask->is_number_unsigned() ? mask->get<uint32_t>() : 0xffffffffu;
        mi.invert = op == "!=";
        if (mask && !mask->is_number_unsigned()) partial("mark mask iptables has no option for");
        char text[64];
        snprintf(text, sizeof text, " -m mark %s--mark 0x%x/0x%x", mi.invert ? "! " : "", mi.mark,
                 mi.mask);
        matches.push_back({text, XtSaveItem{blob_of("mark", 1, mi), 0, 0, ""}});
      } else {
        partial("match on an expression iptables has no option for");
      }
    } else if (k == "counter") {
      // counters are evidence, not part of the rule text
    } else if (k == "xt") {
      bool is_target = str(*b, "type") == "target";
      // A random share or a comment still applies to all traffic: "drops 30% of all packets".
      std::string xt_name = str(*b, "name");
      if (!is_target && xt_name != "statistic" && xt_name != "comment") r.matches_all = false;
      if (xt_index >= xt.size()) {
        partial("the options of " + xt_name + " could not be read");
        Piece p{(is_target ? " -j " : " -m ") + xt_name, std::nullopt};
        if (is_target) {
          target = p;
          r.verdict = "xt";
        } else {
          matches.push_back(p);
        }
        continue;
      }
      const XtBlob& blob = xt[xt_index++];
      XtDecoded d = is_target ? decode_xt_target(blob, family) : decode_xt_match(blob, family);
      if (!d.complete && !xt_text) partial("options of " + xt_name + " not decoded");
      r.traits.insert(r.traits.end(), d.traits.begin(), d.traits.end());
      r.dports.insert(r.dports.end(), d.dports.begin(), d.dports.end());
      Piece p{d.text, XtSaveItem{blob, 0, 0, blob.name}};
      if (is_target) {
        target = p;
        r.verdict = d.verdict;
      } else {
        matches.push_back(p);
      }
    } else if (k == "limit" && b->is_object()) {
      r.matches_all = false;
      r.traits.push_back("rate-limited");
      std::string text = " -m limit --limit " + str(*b, "rate") + "/" + limit_unit(str(*b, "per"));
      if (b->value("burst", 5) != 5) text += " --limit-burst " + str(*b, "burst");
      if (b->value("inv", false) || b->contains("rate_unit")) {
        partial("limit iptables has no option for");
        matches.push_back({text, std::nullopt});
        continue;
      }
      static const std::pair<const char*, uint32_t> units[] = {
          {"second", 1}, {"minute", 60}, {"hour", 3600}, {"day", 86400}};
      uint32_t unit = 0;
      for (auto& [n, u] : units)
        if (str(*b, "per") == n) unit = u;
      uint64_t rate = b->value("rate", uint64_t{0});
      if (unit == 0 || rate == 0) {
        partial("limit iptables has no option for");
        matches.push_back({text, std::nullopt});
        continue;
      }
      xt_rateinfo ri{};
      ri.avg = static_cast<uint32_t>(uint64_t{XT_LIMIT_SCALE} * unit / rate);
      ri.burst = b->value("burst", 5u);
      matches.push_back({text, XtSaveItem{blob_of("limit", 0, ri), 0, 0, ""}});
    } else if (k == "drop" || k == "accept" || k == "return") {
      std::string up = k == "drop" ? "DROP" : k == "accept" ? "ACCEPT" : "RETURN";
      target = {" -j " + up, std::nullopt};
      r.verdict = k;
    } else if (k == "jump" || k == "goto") {
      target = {(k == "jump" ? " -j " : " -g ") + str(*b, "target"), std::nullopt};
      r.verdict = k;
    } else if (k == "reject") {
      target = {" -j REJECT --reject-with " + reject_with(*b, family), std::nullopt};
      r.verdict = "reject";
    } else if (k == "log") {
      std::string t = " -j LOG";
      if (b->is_object() && b->contains("prefix"))
        t += " --log-prefix \"" + str(*b, "prefix") + "\"";
      target = {t, std::nullopt};
      r.verdict = "log";
    } else {
      partial("statement iptables has no option for (" + k + ")");
    }
  }
  if (!port_proto.empty()) {
    Piece p{" -m " + port_proto + port_text, std::nullopt};
    if (port_proto == "tcp")
      p.item = XtSaveItem{blob_of("tcp", 0, tcp), 0, 0, ""};
    else
      p.item = XtSaveItem{blob_of("udp", 0, udp), 0, 0, ""};
    matches.insert(matches.begin() + static_cast<long>(port_at), p);
    if (proto.empty()) proto = "-p " + l4;
  }
  auto text_of = [&](const Piece& p) {
    if (p.item && xt_text) {
      if (auto t = xt_text(*p.item, family)) return *t;
      partial("libxtables could not print " + p.item->blob.name);
    }
    return p.text;
  };
  std::string spec;
  for (const std::string* p : {&src, &dst, &in, &out, &proto, &frag})
    if (!p->empty()) spec += " " + *p;
  for (const auto& m : matches) spec += text_of(m);
  spec += text_of(target);
  r.spec = spec.empty() ? spec : spec.substr(1);
  if (r.matches_all && !src.empty()) r.matches_all = false;
  return r;
}

}  // namespace pktloss
