#pragma once
// Maps a kernel drop (reason name, function that freed the skb, L4 protocol) to a pktloss layer,
// a finding id and a human explanation. The reason alone is not enough: many real drops say
// NOT_SPECIFIED, and the location tells what happened. Pure: no I/O.
#include <string>

namespace pktloss {

struct DropClass {
  std::string layer;       // "link", "qdisc", "netfilter", "ip", "transport", "socket"
  std::string finding_id;  // e.g. "netfilter.drop_rule"; "kernel.drop_reason" when no finer id
  std::string explanation;
  // A normal free that is not packet loss (socket teardown, AF_UNIX, queue purge): hidden
  // unless asked for.
  bool benign = false;
  // The drop happened while handing the skb to the peer device (veth): skb->dev is still the
  // sender, the loss belongs to the receiving peer.
  bool at_peer = false;
};

// `function` is the symbol name without offset ("" when unresolved); `l4` is "tcp", "udp", ...
DropClass classify_drop(const std::string& reason, const std::string& function,
                        const std::string& l4);

}  // namespace pktloss
