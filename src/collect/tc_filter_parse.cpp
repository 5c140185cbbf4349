#include "collect/tc_filter_parse.h"

#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_gact.h>

#include <cstring>
#include <vector>

#include "collect/nl_attr_read.h"
#include "collect/nl_attr_table.h"

namespace pktloss {
namespace {

// The packet-scheduler clock: one tick is 64 ns (see qdisc_parse.cpp).
constexpr double kUsPerTick = 64.0 / 1000.0;

using nl::read_struct;
using nl::read_u32;
using nl::read_u64;

std::string read_string(const nlattr* a) {
  if (!a || mnl_attr_validate(a, MNL_TYPE_STRING) < 0) return "";
  const char* s = static_cast<const char*>(mnl_attr_get_payload(a));
  return std::string(s, strnlen(s, mnl_attr_get_payload_len(a)));
}

// A nest whose payload is itself attributes; an attribute shorter than a header is no nest.
template <size_t N>
Table<N> parse_nested(const nlattr* a) {
  Table<N> t;
  if (a && mnl_attr_get_payload_len(a) >= MNL_ATTR_HDRLEN)
    mnl_attr_parse_nested(a, keep_attr<N>, &t);
  return t;
}

void read_stats2(const nlattr* stats, TcAction& act) {
  auto st = parse_nested<TCA_STATS_MAX>(stats);
  gnet_stats_basic b;
  if (read_struct(st[TCA_STATS_BASIC], b)) {
    act.bytes = b.bytes;
    act.packets = b.packets;
  }
  uint64_t pkts = 0;
  if (read_u64(st[TCA_STATS_PKT64], pkts)) act.packets = pkts;
  gnet_stats_queue q;
  if (read_struct(st[TCA_STATS_QUEUE], q)) {
    act.drops = q.drops;
    act.overlimits = q.overlimits;
  }
}

void police_options(const nlattr* opts, TcAction& act) {
  auto t = parse_nested<TCA_POLICE_MAX>(opts);
  tc_police p;
  if (!read_struct(t[TCA_POLICE_TBF], p)) return;
  act.index = p.index;
  act.verdict = tc_verdict_name(p.action);
  uint64_t rate = p.rate.rate;  // bytes per second
  read_u64(t[TCA_POLICE_RATE64], rate);
  act.police_rate_bps = rate * 8;
  // The burst is the time to send it at the rate, in ticks: bytes = rate * time.
  // A hostile or 64-bit rate can make it exceed 32 bits: saturate (a float-to-int overflow is
  // undefined; fuzz_rtnl_parse found one).
  const double burst = static_cast<double>(rate) * (p.burst * kUsPerTick) / 1e6 + 0.5;
  act.police_burst_bytes =
      burst >= static_cast<double>(UINT32_MAX) ? UINT32_MAX : static_cast<uint32_t>(burst);
  act.police_mtu = p.mtu;
  uint32_t conform = 0;
  if (read_u32(t[TCA_POLICE_RESULT], conform))
    act.police_conform = tc_verdict_name(static_cast<int>(conform));
}

void gact_options(const nlattr* opts, TcAction& act) {
  auto t = parse_nested<TCA_GACT_MAX>(opts);
  tc_gact g;
  if (read_struct(t[TCA_GACT_PARMS], g)) {
    act.index = g.index;
    act.verdict = tc_verdict_name(g.action);
  }
  tc_gact_p p;
  if (read_struct(t[TCA_GACT_PROB], p) && (p.ptype == PGACT_NETRAND || p.ptype == PGACT_DETERM)) {
    act.random_type = p.ptype == PGACT_NETRAND ? "netrand" : "determ";
    act.random_value = p.pval;
    act.random_verdict = tc_verdict_name(p.paction);
  }
}

// One action: TCA_ACT_KIND, TCA_ACT_OPTIONS, TCA_ACT_INDEX, TCA_ACT_STATS.
TcAction action_from(const nlattr* a) {
  auto t = parse_nested<TCA_ACT_MAX>(a);
  TcAction act;
  act.kind = read_string(t[TCA_ACT_KIND]);
  if (act.kind == "police")
    police_options(t[TCA_ACT_OPTIONS], act);
  else if (act.kind == "gact")
    gact_options(t[TCA_ACT_OPTIONS], act);
  uint32_t index = 0;
  if (read_u32(t[TCA_ACT_INDEX], index)) act.index = index;
  read_stats2(t[TCA_ACT_STATS], act);
  return act;
}

// TCA_*_ACT: a nest of actions keyed by their order (1..TCA_ACT_MAX_PRIO).
void actions_from(const nlattr* list, TcFilter& f) {
  auto t = parse_nested<TCA_ACT_MAX_PRIO>(list);
  for (size_t i = 1; i <= TCA_ACT_MAX_PRIO; ++i)
    if (t[i]) {
      TcAction act = action_from(t[i]);
      if (!act.kind.empty()) f.actions.push_back(std::move(act));
    }
}

// The legacy in-filter "police" (u32, basic, fw, bpf): police options right in the nest, its
// counters in the filter's own TCA_STATS (compat struct tc_stats).
void legacy_police(const nlattr* police, const nlattr* filter_stats, TcFilter& f) {
  if (!police) return;
  TcAction act;
  act.kind = "police";
  police_options(police, act);
  tc_stats s;
  if (read_struct(filter_stats, s)) {
    act.bytes = s.bytes;
    act.packets = s.packets;
    act.drops = s.drops;
    act.overlimits = s.overlimits;
  }
  f.actions.push_back(std::move(act));
}

}  // namespace

std::string tc_verdict_name(int action) {
  if (TC_ACT_EXT_CMP(action, TC_ACT_GOTO_CHAIN))
    return "goto chain " + std::to_string(action & TC_ACT_EXT_VAL_MASK);
  if (TC_ACT_EXT_CMP(action, TC_ACT_JUMP))
    return "jump " + std::to_string(action & TC_ACT_EXT_VAL_MASK);
  switch (action) {
    case TC_ACT_UNSPEC:
      return "continue";
    case TC_ACT_OK:
      return "pass";
    case TC_ACT_RECLASSIFY:
      return "reclassify";
    case TC_ACT_SHOT:
      return "drop";
    case TC_ACT_PIPE:
      return "pipe";
    case TC_ACT_STOLEN:
      return "stolen";
    case TC_ACT_TRAP:
      return "trap";
    default:
      return std::to_string(action);
  }
}

std::optional<TcFilter> tc_filter_from_nlmsg(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != RTM_NEWTFILTER || nlh->nlmsg_len < MNL_NLMSG_HDRLEN ||
      mnl_nlmsg_get_payload_len(nlh) < sizeof(tcmsg))
    return std::nullopt;
  Table<TCA_MAX> tb;
  mnl_attr_parse(nlh, sizeof(tcmsg), keep_attr<TCA_MAX>, &tb);
  TcFilter f;
  f.kind = read_string(tb[TCA_KIND]);
  if (f.kind.empty()) return std::nullopt;
  tcmsg t;
  std::memcpy(&t, mnl_nlmsg_get_payload(nlh), sizeof t);
  f.ifindex = t.tcm_ifindex;
  f.parent = t.tcm_parent;
  f.handle = t.tcm_handle;
  f.prio = static_cast<uint16_t>(TC_H_MAJ(t.tcm_info) >> 16);
  f.protocol = static_cast<uint16_t>(TC_H_MIN(t.tcm_info));
  read_u32(tb[TCA_CHAIN], f.chain);

  const nlattr* opts = tb[TCA_OPTIONS];
  if (f.kind == "matchall") {
    auto o = parse_nested<TCA_MATCHALL_MAX>(opts);
    actions_from(o[TCA_MATCHALL_ACT], f);
  } else if (f.kind == "u32") {
    auto o = parse_nested<TCA_U32_MAX>(opts);
    actions_from(o[TCA_U32_ACT], f);
    legacy_police(o[TCA_U32_POLICE], tb[TCA_STATS], f);
  } else if (f.kind == "flower") {
    auto o = parse_nested<TCA_FLOWER_MAX>(opts);
    actions_from(o[TCA_FLOWER_ACT], f);
  } else if (f.kind == "basic") {
    auto o = parse_nested<TCA_BASIC_MAX>(opts);
    actions_from(o[TCA_BASIC_ACT], f);
    legacy_police(o[TCA_BASIC_POLICE], tb[TCA_STATS], f);
  } else if (f.kind == "fw") {
    auto o = parse_nested<TCA_FW_MAX>(opts);
    actions_from(o[TCA_FW_ACT], f);
    legacy_police(o[TCA_FW_POLICE], tb[TCA_STATS], f);
  } else if (f.kind == "bpf") {
    auto o = parse_nested<TCA_BPF_MAX>(opts);
    actions_from(o[TCA_BPF_ACT], f);
    legacy_police(o[TCA_BPF_POLICE], tb[TCA_STATS], f);
    f.bpf_name = read_string(o[TCA_BPF_NAME]);
    read_u32(o[TCA_BPF_ID], f.bpf_id);
    uint32_t flags = 0;
    f.bpf_direct_action = read_u32(o[TCA_BPF_FLAGS], flags) && (flags & TCA_BPF_FLAG_ACT_DIRECT);
  }
  return f;
}

std::optional<TcFilter> tc_filter_from_bytes(const void* data, size_t len) {
  if (len < sizeof(nlmsghdr)) return std::nullopt;
  nlmsghdr h;
  std::memcpy(&h, data, sizeof h);
  if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > len) return std::nullopt;
  std::vector<uint32_t> aligned((h.nlmsg_len + 3) / 4);
  std::memcpy(aligned.data(), data, h.nlmsg_len);
  return tc_filter_from_nlmsg(reinterpret_cast<const nlmsghdr*>(aligned.data()));
}

}  // namespace pktloss
