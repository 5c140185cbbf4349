#include "firewall/xt_decode.h"

#include <linux/netfilter/xt_LOG.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_statistic.h>
#include <linux/netfilter/xt_tcpudp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace pktloss {
namespace {

// Copies the blob into T only when it is long enough: kernel data is untrusted.
template <typename T>
bool load(const XtBlob& b, T& out, size_t need = sizeof(T)) {
  if (b.info.size() < need) return false;
  std::memset(&out, 0, sizeof(T));
  std::memcpy(&out, b.info.data(), std::min(sizeof(T), b.info.size()));
  return true;
}

// iptables-save quotes a string only when the shell would split or interpret it.
std::string save_string(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s)
    if (!(isalnum(static_cast<unsigned char>(c)) || std::strchr("_-.:/+@=,%", c))) plain = false;
  if (plain) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string port_range(uint16_t lo, uint16_t hi) {
  return lo == hi ? std::to_string(lo) : std::to_string(lo) + ":" + std::to_string(hi);
}

void add_range_dports(XtDecoded& d, uint16_t lo, uint16_t hi) {
  // A handful of ports is a service; a wide range is not one port to point at.
  if (hi >= lo && hi - lo < 16)
    for (unsigned p = lo; p <= hi; ++p) d.dports.push_back(static_cast<uint16_t>(p));
}

std::string tcp_flags(uint8_t f) {
  if (f == 0) return "NONE";
  if ((f & 0x3f) == 0x3f) return "ALL";
  static const char* names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG"};
  std::string s;
  for (int i = 0; i < 6; ++i)
    if (f & (1 << i)) s += (s.empty() ? "" : ",") + std::string(names[i]);
  return s;
}

// State names in the order libxt_conntrack/libxt_state print them.
std::string ct_states(unsigned mask, bool conntrack_match, XtDecoded& d) {
  struct Bit {
    unsigned bit;
    const char* name;
  };
  const unsigned untracked = conntrack_match ? XT_CONNTRACK_STATE_UNTRACKED : XT_STATE_UNTRACKED;
  const Bit bits[] = {{XT_CONNTRACK_STATE_INVALID, "INVALID"},
                      {1u << 3, "NEW"},  // IP_CT_NEW + 1
                      {1u << 2, "RELATED"},
                      {1u << 1, "ESTABLISHED"},
                      {untracked, "UNTRACKED"},
                      {conntrack_match ? unsigned(XT_CONNTRACK_STATE_SNAT) : 0u, "SNAT"},
                      {conntrack_match ? unsigned(XT_CONNTRACK_STATE_DNAT) : 0u, "DNAT"}};
  std::string s;
  for (const auto& b : bits)
    if (b.bit && (mask & b.bit)) s += (s.empty() ? "" : ",") + std::string(b.name);
  if (mask & XT_CONNTRACK_STATE_INVALID) d.traits.push_back("ct-invalid");
  return s;
}

void decode_statistic(const XtBlob& b, XtDecoded& d) {
  xt_statistic_info info;
  if (!load(b, info, 16)) {
    d.complete = false;
    d.text = " -m statistic";
    return;
  }
  const char* inv = (info.flags & XT_STATISTIC_INVERT) ? " !" : "";
  char buf[160];
  if (info.mode == XT_STATISTIC_MODE_RANDOM) {
    std::snprintf(buf, sizeof buf, " -m statistic --mode random%s --probability %.11f", inv,
                  1.0 * info.u.random.probability / 0x80000000);
    d.traits.push_back("random");
  } else if (info.mode == XT_STATISTIC_MODE_NTH) {
    std::snprintf(buf, sizeof buf, " -m statistic --mode nth%s --every %u", inv,
                  info.u.nth.every + 1);
    if (info.u.nth.packet)
      std::snprintf(buf + std::strlen(buf), sizeof buf - std::strlen(buf), " --packet %u",
                    info.u.nth.packet);
    d.traits.push_back("nth");
  } else {
    std::snprintf(buf, sizeof buf, " -m statistic");
    d.complete = false;
  }
  d.text = buf;
}

void decode_tcpudp(const XtBlob& b, XtDecoded& d, bool tcp) {
  d.text = tcp ? " -m tcp" : " -m udp";
  uint16_t spts[2], dpts[2];
  uint8_t inv = 0;
  if (tcp) {
    xt_tcp t;
    if (!load(b, t)) return void(d.complete = false);
    std::memcpy(spts, t.spts, sizeof spts);
    std::memcpy(dpts, t.dpts, sizeof dpts);
    inv = t.invflags;
    if (spts[0] != 0 || spts[1] != 0xffff)
      d.text += std::string(inv & XT_TCP_INV_SRCPT ? " !" : "") + " --sport " +
                port_range(spts[0], spts[1]);
    if (dpts[0] != 0 || dpts[1] != 0xffff) {
      d.text += std::string(inv & XT_TCP_INV_DSTPT ? " !" : "") + " --dport " +
                port_range(dpts[0], dpts[1]);
      if (!(inv & XT_TCP_INV_DSTPT)) add_range_dports(d, dpts[0], dpts[1]);
    }
    if (t.option)
      d.text += std::string(inv & XT_TCP_INV_OPTION ? " !" : "") + " --tcp-option " +
                std::to_string(t.option);
    if (t.flg_mask || (inv & XT_TCP_INV_FLAGS))
      d.text += std::string(inv & XT_TCP_INV_FLAGS ? " !" : "") + " --tcp-flags " +
                tcp_flags(t.flg_mask) + " " + tcp_flags(t.flg_cmp);
    return;
  }
  xt_udp u;
  if (!load(b, u)) return void(d.complete = false);
  inv = u.invflags;
  if (u.spts[0] != 0 || u.spts[1] != 0xffff)
    d.text += std::string(inv & XT_UDP_INV_SRCPT ? " !" : "") + " --sport " +
              port_range(u.spts[0], u.spts[1]);
  if (u.dpts[0] != 0 || u.dpts[1] != 0xffff) {
    d.text += std::string(inv & XT_UDP_INV_DSTPT ? " !" : "") + " --dport " +
              port_range(u.dpts[0], u.dpts[1]);
    if (!(inv & XT_UDP_INV_DSTPT)) add_range_dports(d, u.dpts[0], u.dpts[1]);
  }
}

void decode_multiport(const XtBlob& b, XtDecoded& d) {
  d.text = " -m multiport";
  if (b.revision != 1) return void(d.complete = false);
  xt_multiport_v1 m;
  if (!load(b, m) || m.count > XT_MULTI_PORTS) return void(d.complete = false);
  const char* opt = m.flags == XT_MULTIPORT_SOURCE        ? "--sports"
                    : m.flags == XT_MULTIPORT_DESTINATION ? "--dports"
                                                          : "--ports";
  d.text += std::string(m.invert ? " !" : "") + " " + opt + " ";
  for (unsigned i = 0; i < m.count; ++i) {
    if (i) d.text += ",";
    d.text += std::to_string(m.ports[i]);
    bool dst = m.flags != XT_MULTIPORT_SOURCE && !m.invert;
    if (m.pflags[i] && i + 1 < m.count) {
      d.text += ":" + std::to_string(m.ports[i + 1]);
      if (dst) add_range_dports(d, m.ports[i], m.ports[i + 1]);
      ++i;
    } else if (dst) {
      d.dports.push_back(m.ports[i]);
    }
  }
}

void decode_conntrack(const XtBlob& b, XtDecoded& d) {
  d.text = " -m conntrack";
  // Revisions 1..3 share the layout up to state_mask; rev 1 has an 8-bit mask.
  uint16_t match_flags = 0, invert_flags = 0;
  unsigned state_mask = 0;
  if (b.revision == 1) {
    xt_conntrack_mtinfo1 m;
    if (!load(b, m)) return void(d.complete = false);
    match_flags = m.match_flags, invert_flags = m.invert_flags, state_mask = m.state_mask;
  } else if (b.revision == 2 || b.revision == 3) {
    xt_conntrack_mtinfo2 m;
    if (!load(b, m)) return void(d.complete = false);
    match_flags = m.match_flags, invert_flags = m.invert_flags, state_mask = m.state_mask;
  } else {
    return void(d.complete = false);
  }
  if (match_flags & XT_CONNTRACK_STATE) {
    bool inv = invert_flags & XT_CONNTRACK_STATE;
    std::string states = ct_states(state_mask, true, d);
    if (inv)
      d.traits.erase(std::remove(d.traits.begin(), d.traits.end(), std::string("ct-invalid")),
                     d.traits.end());
    // iptables-nft stores `-m state` as conntrack with the alias flag; print it as written.
    if (match_flags & XT_CONNTRACK_STATE_ALIAS)
      d.text = std::string(" -m state") + (inv ? " !" : "") + " --state " + states;
    else
      d.text += std::string(inv ? " !" : "") + " --ctstate " + states;
  }
  // Other conntrack options (origsrc, status, expire...) are not rendered.
  if (match_flags & ~uint16_t(XT_CONNTRACK_STATE | XT_CONNTRACK_STATE_ALIAS)) d.complete = false;
}

void decode_limit(const XtBlob& b, XtDecoded& d) {
  d.text = " -m limit";
  uint32_t avg_burst[2];
  if (b.info.size() < sizeof avg_burst) return void(d.complete = false);
  std::memcpy(avg_burst, b.info.data(), sizeof avg_burst);
  uint32_t period = avg_burst[0];
  if (period == 0) return void(d.complete = false);
  // libxt_limit's print_rate: the largest unit that still gives a whole rate.
  struct Rate {
    const char* name;
    uint64_t mult;
  };
  const Rate rates[] = {{"day", XT_LIMIT_SCALE * 24ull * 60 * 60},
                        {"hour", XT_LIMIT_SCALE * 60ull * 60},
                        {"min", XT_LIMIT_SCALE * 60ull},
                        {"sec", XT_LIMIT_SCALE * 1ull}};
  size_t i = 1;
  for (; i < 4; ++i)
    if (period > rates[i].mult || rates[i].mult / period < rates[i].mult % period) break;
  d.text += " --limit " + std::to_string(rates[i - 1].mult / period) + "/" + rates[i - 1].name;
  if (avg_burst[1] != 5) d.text += " --limit-burst " + std::to_string(avg_burst[1]);
  d.traits.push_back("rate-limited");
}

const char* reject_with(unsigned with, bool ip6) {
  static const char* v4[] = {"icmp-net-unreachable",   "icmp-host-unreachable",
                             "icmp-proto-unreachable", "icmp-port-unreachable",
                             "icmp-echo-reply",        "icmp-net-prohibited",
                             "icmp-host-prohibited",   "tcp-reset",
                             "icmp-admin-prohibited"};
  static const char* v6[] = {"icmp6-no-route",
                             "icmp6-adm-prohibited",
                             "icmp6-not-neighbour",
                             "icmp6-addr-unreachable",
                             "icmp6-port-unreachable",
                             "echo-reply",
                             "tcp-reset",
                             "icmp6-policy-fail",
                             "icmp6-reject-route"};
  if (ip6) return with < 9 ? v6[with] : nullptr;
  return with < 9 ? v4[with] : nullptr;
}

}  // namespace

std::string ipt_proto_name(unsigned proto) {
  switch (proto) {
    case 1:
      return "icmp";
    case 2:
      return "igmp";
    case 6:
      return "tcp";
    case 17:
      return "udp";
    case 47:
      return "gre";
    case 50:
      return "esp";
    case 51:
      return "ah";
    case 58:
      return "ipv6-icmp";
    case 132:
      return "sctp";
    case 136:
      return "udplite";
    default:
      return std::to_string(proto);
  }
}

XtDecoded decode_xt_match(const XtBlob& b, const std::string& family) {
  (void)family;
  XtDecoded d;
  if (b.name == "statistic") {
    decode_statistic(b, d);
  } else if (b.name == "tcp" || b.name == "udp") {
    decode_tcpudp(b, d, b.name == "tcp");
  } else if (b.name == "multiport") {
    decode_multiport(b, d);
  } else if (b.name == "conntrack") {
    decode_conntrack(b, d);
  } else if (b.name == "state") {
    d.text = " -m state";
    xt_state_info s;
    if (!load(b, s)) {
      d.complete = false;
    } else {
      d.text += " --state " + ct_states(s.statemask, false, d);
    }
  } else if (b.name == "comment") {
    xt_comment_info c;
    if (!load(b, c, 1)) {
      d.text = " -m comment";
      d.complete = false;
    } else {
      c.comment[XT_MAX_COMMENT_LEN - 1] = 0;
      d.text = " -m comment --comment " + save_string(c.comment);
    }
  } else if (b.name == "limit") {
    decode_limit(b, d);
  } else {
    d.text = " -m " + b.name;
    d.complete = false;
  }
  return d;
}

XtDecoded decode_xt_target(const XtBlob& b, const std::string& family) {
  XtDecoded d;
  d.text = " -j " + b.name;
  std::string lower;
  for (char c : b.name) lower += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  d.verdict = lower;
  if (b.name == "REJECT") {
    uint32_t with = 0;
    if (b.info.size() < sizeof with) return d.complete = false, d;
    std::memcpy(&with, b.info.data(), sizeof with);
    const char* name = reject_with(with, family == "ip6");
    if (!name) return d.complete = false, d;
    d.text += std::string(" --reject-with ") + name;
  } else if (b.name == "LOG") {
    xt_log_info l;
    if (!load(b, l)) return d.complete = false, d;
    l.prefix[sizeof l.prefix - 1] = 0;
    if (l.prefix[0]) d.text += " --log-prefix " + save_string(l.prefix);
    if (l.level != 4) d.text += " --log-level " + std::to_string(l.level);
    if (l.logflags) d.complete = false;
  } else if (!b.info.empty()) {
    // Options of other targets are not rendered; say so rather than print half a rule.
    bool all_zero = true;
    for (auto c : b.info) all_zero = all_zero && c == 0;
    if (!all_zero) d.complete = false;
  }
  return d;
}

}  // namespace pktloss
