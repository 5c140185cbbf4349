#pragma once
// Names of the kernel's drop reasons, read at run time: the enum differs between kernels, so it is
// never hard-coded. Source 1: BTF (enum skb_drop_reason, prefix SKB_DROP_REASON_ stripped).
// Source 2 (no BTF): the __print_symbolic table of the kfree_skb tracepoint format.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

struct btf;

namespace pktloss {

class DropReasonNames {
 public:
  // Loads from the running kernel's BTF; returns false with `error` set when unavailable.
  bool load_btf(std::string& error);
  // The same from raw BTF bytes (a split-out kernel BTF blob; the fuzz target).
  bool load_btf_data(const void* data, size_t size, std::string& error);
  // Parses tracepoint format text ("{ 2, \"NOT_SPECIFIED\" }, ..."); returns false when none found.
  bool parse_tracepoint_format(const std::string& text);
  // Tries BTF, then /sys/kernel/(debug/)tracing/events/skb/kfree_skb/format.
  bool load(std::string& error);

  void add(uint32_t value, const std::string& name) { names_[value] = name; }
  size_t size() const { return names_.size(); }
  // "NETFILTER_DROP"; subsystem reasons (upper 16 bits) as "SUBSYS_<sub>:<code>";
  // an unknown value as "REASON_<n>".
  std::string name(uint32_t value) const;
  // The value of a plain reason name ("TCP_CLOSE"); false when this kernel has no such reason.
  bool value_of(const std::string& name, uint32_t& value) const;

 private:
  bool take_btf(struct btf* btf, std::string& error);  // frees btf
  std::map<uint32_t, std::string> names_;
  std::map<uint32_t, std::string> subsys_;  // enum skb_drop_reason_subsys
};

}  // namespace pktloss
