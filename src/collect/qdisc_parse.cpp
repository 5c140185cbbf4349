#include "collect/qdisc_parse.h"

#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/fifo.h>
#include <netlink/route/qdisc/fq_codel.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

#include <cstring>
#include <memory>
#include <string>

namespace pktloss {
namespace {

// netem probabilities are fractions of UINT32_MAX (100% = 0xffffffff). libnl hands the raw u32
// back as an int (so > 50% looks negative) and -NLE_NOATTR when unset; undo both.
void put_prob(Qdisc& q, const char* key, int raw) {
  if (raw == -NLE_NOATTR) return;
  uint32_t v = static_cast<uint32_t>(raw);
  q.options[key] = static_cast<double>(v) * 100.0 / 4294967295.0;
}

void put_nonneg(Qdisc& q, const char* key, long long v, double scale = 1.0) {
  if (v >= 0) q.options[key] = static_cast<double>(v) * scale;
}

void netem_options(rtnl_qdisc* nq, Qdisc& q) {
  put_prob(q, "loss_pct", rtnl_netem_get_loss(nq));
  put_prob(q, "loss_correlation_pct", rtnl_netem_get_loss_correlation(nq));
  put_prob(q, "corrupt_pct", rtnl_netem_get_corruption_probability(nq));
  put_prob(q, "corrupt_correlation_pct", rtnl_netem_get_corruption_correlation(nq));
  put_prob(q, "duplicate_pct", rtnl_netem_get_duplicate(nq));
  put_prob(q, "duplicate_correlation_pct", rtnl_netem_get_duplicate_correlation(nq));
  put_prob(q, "reorder_pct", rtnl_netem_get_reorder_probability(nq));
  put_prob(q, "reorder_correlation_pct", rtnl_netem_get_reorder_correlation(nq));
  put_nonneg(q, "delay_us", rtnl_netem_get_delay(nq));
  put_nonneg(q, "jitter_us", rtnl_netem_get_jitter(nq));
  put_nonneg(q, "limit_pkts", rtnl_netem_get_limit(nq));
  put_nonneg(q, "gap", rtnl_netem_get_gap(nq));
  // Drop zero-valued probabilities: "loss 0%" is not an option anyone set.
  for (auto it = q.options.begin(); it != q.options.end();)
    it = (it->first.ends_with("_pct") && it->second <= 0) ? q.options.erase(it) : std::next(it);
}

// libnl does not parse TCA_NETEM_RATE / TCA_NETEM_RATE64 (netem's own rate limit); read them
// from TCA_OPTIONS, which for netem is a struct tc_netem_qopt followed by attributes.
void netem_rate(nlmsghdr* nlh, Qdisc& q) {
  nlattr* tb[TCA_MAX + 1] = {};
  if (nlmsg_parse(nlh, sizeof(tcmsg), tb, TCA_MAX, nullptr) < 0 || !tb[TCA_OPTIONS]) return;
  int len = nla_len(tb[TCA_OPTIONS]);
  int skip = NLA_ALIGN(static_cast<int>(sizeof(tc_netem_qopt)));
  if (len < skip) return;
  auto* first = reinterpret_cast<nlattr*>(static_cast<char*>(nla_data(tb[TCA_OPTIONS])) + skip);
  nlattr* nt[TCA_NETEM_MAX + 1] = {};
  if (nla_parse(nt, TCA_NETEM_MAX, first, len - skip, nullptr) < 0) return;
  uint64_t bytes_per_s = 0;
  if (nt[TCA_NETEM_RATE] &&
      nla_len(nt[TCA_NETEM_RATE]) >= static_cast<int>(sizeof(tc_netem_rate))) {
    tc_netem_rate r;
    std::memcpy(&r, nla_data(nt[TCA_NETEM_RATE]), sizeof r);
    bytes_per_s = r.rate;
  }
  if (nt[TCA_NETEM_RATE64] && nla_len(nt[TCA_NETEM_RATE64]) >= 8)
    bytes_per_s = nla_get_u64(nt[TCA_NETEM_RATE64]);
  if (bytes_per_s) q.options["rate_bps"] = static_cast<double>(bytes_per_s) * 8.0;
}

void tbf_options(rtnl_qdisc* nq, Qdisc& q) {
  put_nonneg(q, "rate_bps", rtnl_qdisc_tbf_get_rate(nq), 8.0);
  put_nonneg(q, "burst_bytes", rtnl_qdisc_tbf_get_rate_bucket(nq));
  put_nonneg(q, "limit_bytes", rtnl_qdisc_tbf_get_limit(nq));
  int peak = rtnl_qdisc_tbf_get_peakrate(nq);
  if (peak > 0) q.options["peakrate_bps"] = peak * 8.0;
}

void fq_codel_options(rtnl_qdisc* nq, Qdisc& q) {
  put_nonneg(q, "limit_pkts", rtnl_qdisc_fq_codel_get_limit(nq));
  q.options["target_us"] = rtnl_qdisc_fq_codel_get_target(nq);
  q.options["interval_us"] = rtnl_qdisc_fq_codel_get_interval(nq);
  put_nonneg(q, "flows", rtnl_qdisc_fq_codel_get_flows(nq));
}

// libnl rejects the whole message when a kind's options are malformed (e.g. netem options
// shorter than tc_netem_qopt). The qdisc still exists: keep who it is, without options/stats.
std::optional<Qdisc> identity_only(nlmsghdr* nlh) {
  nlattr* tb[TCA_MAX + 1] = {};
  if (nlmsg_parse(nlh, sizeof(tcmsg), tb, TCA_MAX, nullptr) < 0 || !tb[TCA_KIND])
    return std::nullopt;
  tcmsg t;
  std::memcpy(&t, nlmsg_data(nlh), sizeof t);
  Qdisc q;
  q.ifindex = t.tcm_ifindex;
  q.handle = t.tcm_handle;
  q.parent = t.tcm_parent;
  q.is_root = q.parent == TC_H_ROOT;
  const char* k = static_cast<const char*>(nla_data(tb[TCA_KIND]));
  q.kind.assign(k, strnlen(k, static_cast<size_t>(nla_len(tb[TCA_KIND]))));
  // Stats do not depend on the options: keep them (TCA_STATS2 basic + queue).
  nlattr* st[TCA_STATS_MAX + 1] = {};
  if (tb[TCA_STATS2] && nla_parse_nested(st, TCA_STATS_MAX, tb[TCA_STATS2], nullptr) == 0) {
    if (st[TCA_STATS_BASIC] && nla_len(st[TCA_STATS_BASIC]) >= int(sizeof(gnet_stats_basic))) {
      gnet_stats_basic b;
      std::memcpy(&b, nla_data(st[TCA_STATS_BASIC]), sizeof b);
      q.stats.bytes = b.bytes;
      q.stats.packets = b.packets;
    }
    if (st[TCA_STATS_QUEUE] && nla_len(st[TCA_STATS_QUEUE]) >= int(sizeof(gnet_stats_queue))) {
      gnet_stats_queue g;
      std::memcpy(&g, nla_data(st[TCA_STATS_QUEUE]), sizeof g);
      q.stats.qlen = g.qlen;
      q.stats.backlog_bytes = g.backlog;
      q.stats.drops = g.drops;
      q.stats.requeues = g.requeues;
      q.stats.overlimits = g.overlimits;
    }
  }
  return q;
}

// libnl 3.7's option parsers (netem at least) dereference the options without checking they
// exist, so a message without TCA_OPTIONS would crash it. Such a message is re-built with an
// empty TCA_OPTIONS, which every parser length-checks.
using MsgPtr = std::unique_ptr<nl_msg, decltype(&nlmsg_free)>;
MsgPtr with_empty_options(nlmsghdr* nlh) {
  MsgPtr m(nlmsg_alloc_simple(nlh->nlmsg_type, nlh->nlmsg_flags), &nlmsg_free);
  if (!m) return m;
  if (nlmsg_append(m.get(), nlmsg_data(nlh), nlmsg_datalen(nlh), NLMSG_ALIGNTO) < 0 ||
      nla_put(m.get(), TCA_OPTIONS, 0, nullptr) < 0)
    m.reset();
  return m;
}

}  // namespace

Qdisc qdisc_from_rtnl(rtnl_qdisc* nq) {
  Qdisc q;
  auto* tc = TC_CAST(nq);
  q.ifindex = rtnl_tc_get_ifindex(tc);
  if (const char* k = rtnl_tc_get_kind(tc)) q.kind = k;
  q.handle = rtnl_tc_get_handle(tc);
  q.parent = rtnl_tc_get_parent(tc);
  q.is_root = q.parent == TC_H_ROOT;
  q.stats.bytes = rtnl_tc_get_stat(tc, RTNL_TC_BYTES);
  q.stats.packets = rtnl_tc_get_stat(tc, RTNL_TC_PACKETS);
  q.stats.drops = rtnl_tc_get_stat(tc, RTNL_TC_DROPS);
  q.stats.overlimits = rtnl_tc_get_stat(tc, RTNL_TC_OVERLIMITS);
  q.stats.requeues = rtnl_tc_get_stat(tc, RTNL_TC_REQUEUES);
  q.stats.backlog_bytes = rtnl_tc_get_stat(tc, RTNL_TC_BACKLOG);
  q.stats.qlen = rtnl_tc_get_stat(tc, RTNL_TC_QLEN);

  if (q.kind == "netem") {
    netem_options(nq, q);
  } else if (q.kind == "tbf") {
    tbf_options(nq, q);
  } else if (q.kind == "htb") {
    q.options["default_class"] = rtnl_htb_get_defcls(nq);
    q.options["r2q"] = rtnl_htb_get_rate2quantum(nq);
  } else if (q.kind == "fq_codel") {
    fq_codel_options(nq, q);
  } else if (q.kind == "pfifo") {
    put_nonneg(q, "limit_pkts", rtnl_qdisc_fifo_get_limit(nq));
  } else if (q.kind == "bfifo") {
    put_nonneg(q, "limit_bytes", rtnl_qdisc_fifo_get_limit(nq));
  }
  return q;
}

std::optional<Qdisc> qdisc_from_nlmsg(nl_msg* msg) {
  nlmsghdr* nlh = nlmsg_hdr(msg);
  if (nlh->nlmsg_type != RTM_NEWQDISC || !nlmsg_valid_hdr(nlh, sizeof(tcmsg))) return std::nullopt;
  nlattr* tb[TCA_MAX + 1] = {};
  if (nlmsg_parse(nlh, sizeof(tcmsg), tb, TCA_MAX, nullptr) < 0 || !tb[TCA_KIND])
    return std::nullopt;
  MsgPtr rebuilt(nullptr, &nlmsg_free);
  if (!tb[TCA_OPTIONS]) {
    rebuilt = with_empty_options(nlh);
    if (!rebuilt) return identity_only(nlh);
    msg = rebuilt.get();
  }
  // libnl picks the parser by the message's protocol; crafted messages have none yet.
  nlmsg_set_proto(msg, NETLINK_ROUTE);
  std::optional<Qdisc> out;
  auto cb = [](nl_object* obj, void* arg) {
    *static_cast<std::optional<Qdisc>*>(arg) = qdisc_from_rtnl(reinterpret_cast<rtnl_qdisc*>(obj));
  };
  if (nl_msg_parse(msg, cb, &out) < 0 || !out) return identity_only(nlh);
  if (out->kind == "netem") netem_rate(nlh, *out);
  return out;
}

}  // namespace pktloss
