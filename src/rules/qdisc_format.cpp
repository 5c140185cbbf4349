#include "rules/qdisc_format.h"

#include <fmt/format.h>
#include <linux/pkt_sched.h>

#include <cmath>

namespace pktloss {
namespace {

double opt(const Qdisc& q, const char* key, double dflt = 0) {
  auto it = q.options.find(key);
  return it == q.options.end() ? dflt : it->second;
}
bool has(const Qdisc& q, const char* key) {
  return q.options.count(key) != 0;
}

// Shortest decimal form: 1 -> "1", 1.5 -> "1.5", 33.333333 -> "33.3333".
std::string num(double v) {
  return fmt::format("{:.6g}", v);
}

std::string pct(double v) {
  return num(std::round(v * 10000) / 10000) + "%";
}

std::string bytes(double v) {
  return fmt::format("{:.0f}b", v);
}

// "loss 30% 25%": probability and, when set, its correlation.
void prob(std::string& out, const Qdisc& q, const char* word, const char* key,
          const char* corr_key) {
  if (opt(q, key) <= 0) return;
  out += fmt::format(" {} {}", word, pct(opt(q, key)));
  if (opt(q, corr_key) > 0) out += " " + pct(opt(q, corr_key));
}

std::string netem_common(const Qdisc& q) {
  std::string out;
  if (has(q, "limit_pkts")) out += " limit " + num(opt(q, "limit_pkts"));
  if (opt(q, "delay_us") > 0) {
    out += " delay " + tc_time_us(opt(q, "delay_us"));
    if (opt(q, "jitter_us") > 0) {
      out += " " + tc_time_us(opt(q, "jitter_us"));
      if (opt(q, "delay_correlation_pct") > 0) out += " " + pct(opt(q, "delay_correlation_pct"));
    }
  }
  return out;
}

std::string netem_reorder(const Qdisc& q) {
  std::string out;
  prob(out, q, "reorder", "reorder_pct", "reorder_correlation_pct");
  return out;
}

std::string netem_rate(const Qdisc& q) {
  return opt(q, "rate_bps") > 0 ? " rate " + tc_rate(opt(q, "rate_bps")) : "";
}

// "loss state p13 1% p31 10% p32 20% p23 5% p14 0.5%" / "loss gemodel p 1% r 10% 1-h 70% 1-k 0%"
// as tc prints them (checked on Debian's 6.1 in the VM lab), every probability shown.
std::string netem_loss_model(const Qdisc& q) {
  int model = static_cast<int>(opt(q, "loss_model"));
  if (model == 1)
    return " loss state p13 " + pct(opt(q, "loss_state_p13_pct")) + " p31 " +
           pct(opt(q, "loss_state_p31_pct")) + " p32 " + pct(opt(q, "loss_state_p32_pct")) +
           " p23 " + pct(opt(q, "loss_state_p23_pct")) + " p14 " +
           pct(opt(q, "loss_state_p14_pct"));
  if (model == 2)
    return " loss gemodel p " + pct(opt(q, "loss_gemodel_p_pct")) + " r " +
           pct(opt(q, "loss_gemodel_r_pct")) + " 1-h " + pct(opt(q, "loss_gemodel_1h_pct")) +
           " 1-k " + pct(opt(q, "loss_gemodel_1k_pct"));
  return "";
}

// "slot 1ms 2ms packets 10 bytes 1000" or "slot distribution 5ms 1ms" (tc names no table).
std::string netem_slot(const Qdisc& q) {
  std::string out;
  if (has(q, "slot_dist_jitter_us"))
    out = " slot distribution " + tc_time_us(opt(q, "slot_dist_delay_us")) + " " +
          tc_time_us(opt(q, "slot_dist_jitter_us"));
  else if (has(q, "slot_min_us") || has(q, "slot_max_us"))
    out = " slot " + tc_time_us(opt(q, "slot_min_us")) + " " + tc_time_us(opt(q, "slot_max_us"));
  if (out.empty()) return out;
  if (opt(q, "slot_packets") > 0) out += " packets " + num(opt(q, "slot_packets"));
  if (opt(q, "slot_bytes") > 0) out += " bytes " + num(opt(q, "slot_bytes"));
  return out;
}

// tc prints the reorder gap last, after the rate, whenever it is set (tc sets 1 with a reorder).
std::string netem_gap(const Qdisc& q) {
  return opt(q, "gap") > 0 ? " gap " + num(opt(q, "gap")) : "";
}

}  // namespace

std::string tc_rate(double bps) {
  if (bps >= 1e9) return num(bps / 1e9) + "Gbit";
  if (bps >= 1e6) return num(bps / 1e6) + "Mbit";
  if (bps >= 1e3) return num(bps / 1e3) + "Kbit";
  return num(bps) + "bit";
}

std::string tc_time_us(double us) {
  if (us >= 1e6) return num(us / 1e6) + "s";
  if (us >= 1e3) return num(us / 1e3) + "ms";
  return num(us) + "us";
}

std::string tc_handle(uint32_t h) {
  uint32_t major = h >> 16, minor = h & 0xffff;
  return minor ? fmt::format("{:x}:{:x}", major, minor) : fmt::format("{:x}:", major);
}

std::string tc_parent(const Qdisc& q) {
  if (q.is_root || q.parent == TC_H_ROOT) return "root";
  if (q.parent == TC_H_INGRESS) return "ingress";
  return "parent " + tc_handle(q.parent);
}

std::string format_qdisc_options(const Qdisc& q) {
  std::string out = q.kind;
  if (q.kind == "netem") {
    out += netem_common(q);
    // tc's own order (iproute2 q_netem.c), checked against `tc qdisc show` on Debian's 6.1 in
    // the VM lab: delay [jitter [correlation]], loss (random, state or gemodel), duplicate,
    // reorder, corrupt, rate, slot, ecn, gap.
    prob(out, q, "loss", "loss_pct", "loss_correlation_pct");
    out += netem_loss_model(q);
    prob(out, q, "duplicate", "duplicate_pct", "duplicate_correlation_pct");
    out += netem_reorder(q);
    prob(out, q, "corrupt", "corrupt_pct", "corrupt_correlation_pct");
    out += netem_rate(q);
    out += netem_slot(q);
    if (opt(q, "ecn") > 0) out += " ecn";
    out += netem_gap(q);
  } else if (q.kind == "tbf") {
    if (has(q, "rate_bps")) out += " rate " + tc_rate(opt(q, "rate_bps"));
    if (has(q, "burst_bytes")) out += " burst " + bytes(opt(q, "burst_bytes"));
    if (has(q, "limit_bytes")) out += " limit " + bytes(opt(q, "limit_bytes"));
    if (opt(q, "peakrate_bps") > 0) out += " peakrate " + tc_rate(opt(q, "peakrate_bps"));
  } else if (q.kind == "htb") {
    if (has(q, "default_class"))
      out += fmt::format(" default {:x}", (uint32_t)opt(q, "default_class"));
    if (has(q, "r2q")) out += " r2q " + num(opt(q, "r2q"));
  } else if (q.kind == "fq_codel") {
    if (has(q, "limit_pkts")) out += " limit " + num(opt(q, "limit_pkts")) + "p";
    if (has(q, "flows")) out += " flows " + num(opt(q, "flows"));
    if (opt(q, "target_us") > 0) out += " target " + tc_time_us(opt(q, "target_us"));
    if (opt(q, "interval_us") > 0) out += " interval " + tc_time_us(opt(q, "interval_us"));
  } else if (q.kind == "pfifo") {
    if (has(q, "limit_pkts")) out += " limit " + num(opt(q, "limit_pkts"));
  } else if (q.kind == "bfifo") {
    if (has(q, "limit_bytes")) out += " limit " + bytes(opt(q, "limit_bytes"));
  }
  return out;
}

std::string netem_without_loss(const Qdisc& q) {
  // ecn is left out: it only says how loss is done, and there is no loss left.
  std::string rest =
      netem_common(q) + netem_reorder(q) + netem_rate(q) + netem_slot(q) + netem_gap(q);
  // A limit alone is netem's default shape, not something worth keeping netem for.
  if (rest.empty() || rest == " limit " + num(opt(q, "limit_pkts"))) return "";
  // `tc qdisc change` resets loss and duplicate (they live in netem's fixed struct) but keeps a
  // corrupt probability it is not sent (an attribute): say 0% or the change keeps corrupting
  // (seen on Debian's 6.1 in the VM lab).
  if (opt(q, "corrupt_pct") > 0) rest += " corrupt 0%";
  return "netem" + rest;
}

}  // namespace pktloss
