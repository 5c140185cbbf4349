#include "collect/qdisc_parse.h"

#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "collect/nl_attr_read.h"
#include "collect/nl_attr_table.h"

namespace pktloss {
namespace {

// The kernel's packet-scheduler clock: PSCHED_SHIFT 6, so one tick is 64 ns (/proc/net/psched
// prints 000003e8 00000040: 1000 ns per us, 64 ns per tick; unchanged since 2.6.24).
constexpr double kUsPerTick = 64.0 / 1000.0;

// netem probabilities are fractions of UINT32_MAX (100% = 0xffffffff).
double pct(uint32_t raw) {
  return static_cast<double>(raw) * 100.0 / 4294967295.0;
}

using nl::read_struct;
using nl::read_u32;
using nl::read_u64;

// Parses a buffer of attributes (not inside a message): netem's options after its fixed struct.
template <size_t N>
Table<N> parse_attrs(const void* data, size_t len) {
  Table<N> t;
  mnl_attr_parse_payload(data, len, keep_attr<N>, &t);
  return t;
}

template <size_t N>
Table<N> parse_nested(const nlattr* a) {
  Table<N> t;
  if (a) mnl_attr_parse_nested(a, keep_attr<N>, &t);
  return t;
}

// netem's loss models (TCA_NETEM_LOSS, a nest): the 4-state Markov model ("loss state") or
// Gilbert-Elliott ("loss gemodel"). Either replaces the random loss of the fixed struct, so a
// collector that read only that would call `netem loss gemodel 30%` lossless.
void netem_loss_model(const nlattr* loss, Qdisc& q) {
  auto lt = parse_nested<NETEM_LOSS_MAX>(loss);
  tc_netem_gimodel gi;
  tc_netem_gemodel ge;
  if (read_struct(lt[NETEM_LOSS_GI], gi)) {
    q.options["loss_model"] = 1;
    q.options["loss_state_p13_pct"] = pct(gi.p13);
    q.options["loss_state_p31_pct"] = pct(gi.p31);
    q.options["loss_state_p32_pct"] = pct(gi.p32);
    q.options["loss_state_p23_pct"] = pct(gi.p23);
    q.options["loss_state_p14_pct"] = pct(gi.p14);
  } else if (read_struct(lt[NETEM_LOSS_GE], ge)) {
    q.options["loss_model"] = 2;
    q.options["loss_gemodel_p_pct"] = pct(ge.p);
    q.options["loss_gemodel_r_pct"] = pct(ge.r);
    // The kernel keeps h, the chance of no loss in the bad state (it loses when a draw exceeds
    // it); tc shows 1-h. k1 is already "1-k". Seen in the VM lab: `1-h 100%` arrives as h = 0.
    q.options["loss_gemodel_1h_pct"] = 100.0 - pct(ge.h);
    q.options["loss_gemodel_1k_pct"] = pct(ge.k1);
  }
}

// Slotting (TCA_NETEM_SLOT): packets leave in bursts, min..max apart or drawn from a
// distribution, at most so many packets or bytes per slot.
void netem_slot(const nlattr* a, Qdisc& q) {
  tc_netem_slot slot;
  if (!read_struct(a, slot)) return;
  auto us = [](int64_t ns) { return static_cast<double>(std::max<int64_t>(ns, 0)) / 1e3; };
  if (slot.dist_jitter > 0) {
    q.options["slot_dist_delay_us"] = us(slot.dist_delay);
    q.options["slot_dist_jitter_us"] = us(slot.dist_jitter);
  } else {
    q.options["slot_min_us"] = us(slot.min_delay);
    q.options["slot_max_us"] = us(slot.max_delay);
  }
  if (slot.max_packets > 0) q.options["slot_packets"] = slot.max_packets;
  if (slot.max_bytes > 0) q.options["slot_bytes"] = slot.max_bytes;
}

void netem_options(const nlattr* opts, Qdisc& q) {
  // TCA_OPTIONS for netem is a struct tc_netem_qopt followed by attributes (not a nest).
  tc_netem_qopt qo;
  if (!read_struct(opts, qo)) return;
  q.options["delay_us"] = qo.latency * kUsPerTick;
  q.options["jitter_us"] = qo.jitter * kUsPerTick;
  q.options["limit_pkts"] = qo.limit;
  q.options["gap"] = qo.gap;
  q.options["loss_pct"] = pct(qo.loss);
  q.options["duplicate_pct"] = pct(qo.duplicate);
  size_t len = mnl_attr_get_payload_len(opts);
  size_t skip = MNL_ALIGN(sizeof(tc_netem_qopt));
  if (len > skip) {
    auto nt = parse_attrs<TCA_NETEM_MAX>(
        static_cast<const char*>(mnl_attr_get_payload(opts)) + skip, len - skip);
    tc_netem_corr corr;
    if (read_struct(nt[TCA_NETEM_CORR], corr)) {
      q.options["loss_correlation_pct"] = pct(corr.loss_corr);
      q.options["duplicate_correlation_pct"] = pct(corr.dup_corr);
      q.options["delay_correlation_pct"] = pct(corr.delay_corr);
    }
    tc_netem_reorder reorder;
    if (read_struct(nt[TCA_NETEM_REORDER], reorder)) {
      q.options["reorder_pct"] = pct(reorder.probability);
      q.options["reorder_correlation_pct"] = pct(reorder.correlation);
    }
    tc_netem_corrupt corrupt;
    if (read_struct(nt[TCA_NETEM_CORRUPT], corrupt)) {
      q.options["corrupt_pct"] = pct(corrupt.probability);
      q.options["corrupt_correlation_pct"] = pct(corrupt.correlation);
    }
    // Delays beyond what ticks in a u32 can say come as 64-bit nanoseconds.
    uint64_t ns = 0;
    if (read_u64(nt[TCA_NETEM_LATENCY64], ns))
      q.options["delay_us"] = static_cast<double>(ns) / 1e3;
    if (read_u64(nt[TCA_NETEM_JITTER64], ns))
      q.options["jitter_us"] = static_cast<double>(ns) / 1e3;
    uint64_t bytes_per_s = 0;
    tc_netem_rate rate;
    if (read_struct(nt[TCA_NETEM_RATE], rate)) bytes_per_s = rate.rate;
    read_u64(nt[TCA_NETEM_RATE64], bytes_per_s);
    if (bytes_per_s) q.options["rate_bps"] = static_cast<double>(bytes_per_s) * 8.0;
    if (nt[TCA_NETEM_LOSS]) netem_loss_model(nt[TCA_NETEM_LOSS], q);
    if (nt[TCA_NETEM_SLOT]) netem_slot(nt[TCA_NETEM_SLOT], q);
    uint32_t ecn = 0;
    if (read_u32(nt[TCA_NETEM_ECN], ecn) && ecn) q.options["ecn"] = 1;
  }
  // Drop zero-valued probabilities: "loss 0%" is not an option anyone set. A loss model's
  // transition probabilities are kept: tc prints all of them, zeros included.
  for (auto it = q.options.begin(); it != q.options.end();)
    it = (it->first.ends_with("_pct") && !it->first.starts_with("loss_state_") &&
          !it->first.starts_with("loss_gemodel_") && it->second <= 0)
             ? q.options.erase(it)
             : std::next(it);
}

void tbf_options(const nlattr* opts, Qdisc& q) {
  auto t = parse_nested<TCA_TBF_MAX>(opts);
  tc_tbf_qopt p;
  if (!read_struct(t[TCA_TBF_PARMS], p)) return;
  uint64_t rate = p.rate.rate, peak = p.peakrate.rate;
  read_u64(t[TCA_TBF_RATE64], rate);
  read_u64(t[TCA_TBF_PRATE64], peak);
  q.options["rate_bps"] = static_cast<double>(rate) * 8.0;
  // The bucket is given as the time to send it at `rate`: bytes = rate * time.
  q.options["burst_bytes"] = static_cast<double>(rate) * (p.buffer * kUsPerTick) / 1e6;
  q.options["limit_bytes"] = p.limit;
  if (peak > 0) q.options["peakrate_bps"] = static_cast<double>(peak) * 8.0;
}

void htb_options(const nlattr* opts, Qdisc& q) {
  auto t = parse_nested<TCA_HTB_MAX>(opts);
  tc_htb_glob g;
  if (!read_struct(t[TCA_HTB_INIT], g)) return;
  q.options["default_class"] = g.defcls;
  q.options["r2q"] = g.rate2quantum;
}

void fq_codel_options(const nlattr* opts, Qdisc& q) {
  auto t = parse_nested<TCA_FQ_CODEL_MAX>(opts);
  uint32_t v = 0;
  if (read_u32(t[TCA_FQ_CODEL_LIMIT], v)) q.options["limit_pkts"] = v;
  if (read_u32(t[TCA_FQ_CODEL_TARGET], v)) q.options["target_us"] = v;
  if (read_u32(t[TCA_FQ_CODEL_INTERVAL], v)) q.options["interval_us"] = v;
  if (read_u32(t[TCA_FQ_CODEL_FLOWS], v)) q.options["flows"] = v;
}

void fifo_options(const nlattr* opts, const char* key, Qdisc& q) {
  tc_fifo_qopt f;
  if (read_struct(opts, f)) q.options[key] = f.limit;
}

void read_stats(const nlattr* stats2, const nlattr* stats1, Qdisc& q) {
  if (stats2) {
    auto st = parse_nested<TCA_STATS_MAX>(stats2);
    gnet_stats_basic b;
    if (read_struct(st[TCA_STATS_BASIC], b)) {
      q.stats.bytes = b.bytes;
      q.stats.packets = b.packets;
    }
    uint64_t pkts = 0;  // the basic struct's packet count is 32 bits; newer kernels add this
    if (read_u64(st[TCA_STATS_PKT64], pkts)) q.stats.packets = pkts;
    gnet_stats_queue g;
    if (read_struct(st[TCA_STATS_QUEUE], g)) {
      q.stats.qlen = g.qlen;
      q.stats.backlog_bytes = g.backlog;
      q.stats.drops = g.drops;
      q.stats.requeues = g.requeues;
      q.stats.overlimits = g.overlimits;
    }
    return;
  }
  tc_stats s;  // kernels without TCA_STATS2 (none we support, but the format allows it)
  if (read_struct(stats1, s)) {
    q.stats.bytes = s.bytes;
    q.stats.packets = s.packets;
    q.stats.drops = s.drops;
    q.stats.overlimits = s.overlimits;
    q.stats.qlen = s.qlen;
    q.stats.backlog_bytes = s.backlog;
  }
}

}  // namespace

std::optional<Qdisc> qdisc_from_nlmsg(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != RTM_NEWQDISC || nlh->nlmsg_len < MNL_NLMSG_HDRLEN ||
      mnl_nlmsg_get_payload_len(nlh) < sizeof(tcmsg))
    return std::nullopt;
  Table<TCA_MAX> tb;
  mnl_attr_parse(nlh, sizeof(tcmsg), keep_attr<TCA_MAX>, &tb);
  const nlattr* kind = tb[TCA_KIND];
  if (!kind || mnl_attr_validate(kind, MNL_TYPE_STRING) < 0) return std::nullopt;
  tcmsg t;
  std::memcpy(&t, mnl_nlmsg_get_payload(nlh), sizeof t);
  Qdisc q;
  q.ifindex = t.tcm_ifindex;
  q.handle = t.tcm_handle;
  q.parent = t.tcm_parent;
  q.is_root = q.parent == TC_H_ROOT;
  const char* k = static_cast<const char*>(mnl_attr_get_payload(kind));
  q.kind.assign(k, strnlen(k, mnl_attr_get_payload_len(kind)));
  read_stats(tb[TCA_STATS2], tb[TCA_STATS], q);

  const nlattr* opts = tb[TCA_OPTIONS];
  if (!opts) return q;
  if (q.kind == "netem") {
    netem_options(opts, q);
  } else if (q.kind == "tbf") {
    tbf_options(opts, q);
  } else if (q.kind == "htb") {
    htb_options(opts, q);
  } else if (q.kind == "fq_codel") {
    fq_codel_options(opts, q);
  } else if (q.kind == "pfifo") {
    fifo_options(opts, "limit_pkts", q);
  } else if (q.kind == "bfifo") {
    fifo_options(opts, "limit_bytes", q);
  }
  return q;
}

std::optional<Qdisc> qdisc_from_bytes(const void* data, size_t len) {
  if (len < sizeof(nlmsghdr)) return std::nullopt;
  nlmsghdr h;
  std::memcpy(&h, data, sizeof h);
  if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > len) return std::nullopt;
  std::vector<uint32_t> aligned((h.nlmsg_len + 3) / 4);  // attribute readers assume alignment
  std::memcpy(aligned.data(), data, h.nlmsg_len);
  return qdisc_from_nlmsg(reinterpret_cast<const nlmsghdr*>(aligned.data()));
}

}  // namespace pktloss
