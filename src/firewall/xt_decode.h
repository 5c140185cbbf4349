#pragma once
// Decodes the option blobs of x_tables matches and targets (what iptables-nft stores in nft "xt"
// compat expressions and iptables-legacy in ipt_entry) into iptables-save syntax. The blobs come
// from the kernel and are untrusted: every size is checked; an unknown or short blob is reported
// as incomplete instead of guessed.
#include <cstdint>
#include <string>
#include <vector>

namespace pktloss {

struct XtBlob {
  std::string kind;  // "match" or "target"
  std::string name;  // "statistic", "REJECT", ...
  uint32_t revision = 0;
  std::vector<uint8_t> info;  // the match/target private data
};

struct XtDecoded {
  std::string text;                 // " -m statistic --mode random --probability 0.30000000000"
  bool complete = true;             // false: options we cannot render faithfully were left out
  std::vector<std::string> traits;  // "random", "nth", "ct-invalid", ...
  std::vector<uint16_t> dports;     // destination ports matched (for "REJECT on a service port")
  std::string verdict;              // targets only: "reject", "log", ... (lower case name)
};

// family: "ip" or "ip6" (REJECT's reject-with names differ).
XtDecoded decode_xt_match(const XtBlob& blob, const std::string& family);
XtDecoded decode_xt_target(const XtBlob& blob, const std::string& family);

// "-p" argument as iptables-save prints it ("tcp", "udp", "icmp", or the number).
std::string ipt_proto_name(unsigned proto);

}  // namespace pktloss
