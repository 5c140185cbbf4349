#pragma once
// The shape of this kernel's kfree_skb tracepoint, which decides what the tracer can report: the
// drop reason argument came in Linux 5.17 (before it, every drop is only a location) and the
// receiving socket (rx_sk) in 6.11. Read from BTF (the tp_btf signature) or, without it, from the
// classic tracepoint's format file; pure functions over those bytes, unit-tested with hand-built
// BTF and format text.
#include <optional>
#include <string>

struct btf;

namespace pktloss {

// Arguments after the context of the tp_btf kfree_skb (typedef btf_trace_kfree_skb: a pointer to
// a func proto whose first parameter is the context): 2 before 5.17 (skb, location), 3 with the
// reason, 4 with rx_sk; -1 when the BTF does not describe the tracepoint.
int kfree_skb_btf_args(const struct btf* btf);

// Whether the classic tracepoint's format text (events/skb/kfree_skb/format) has a `reason`
// field; nullopt when the text holds no fields at all (not a format).
std::optional<bool> kfree_skb_format_has_reason(const std::string& format);

// Whether this kernel's kfree_skb carries a drop reason: the BTF signature when it is known
// (btf_args >= 0), else the format file's verdict, else assume it does (a 5.17+ kernel without
// either is far likelier than a pre-5.17 one with BTF).
bool kfree_skb_has_reason(int btf_args, std::optional<bool> format_has_reason);

// The tracer's degraded note on such a kernel (rows then say NOT_SPECIFIED, the kernel's own
// "no particular reason", so the location still decides the layer).
inline constexpr const char* kNoDropReasonNote =
    "this kernel's kfree_skb tracepoint has no drop reason (added in Linux 5.17): drops are "
    "attributed by kernel location only, reason NOT_SPECIFIED";

}  // namespace pktloss
