#pragma once
// x_tables matches and targets printed by their own libxtables extension, exactly as
// iptables-save prints them: the extension is loaded (libxt_NAME.so), the blob's revision picked,
// and its save callback called. libxtables keeps per-process, per-family global state, and an
// extension may call exit() on a blob it dislikes, so the work runs in a short-lived forked
// child: pktloss's own state is never touched and a misbehaving extension costs only its text.
#include <cstdint>
#include <string>
#include <vector>

#include "firewall/xt_decode.h"

namespace pktloss {

struct XtSaveItem {
  XtBlob blob;            // kind "match" or "target"
  uint16_t proto = 0;     // the rule's -p: some save callbacks read it from the rule header
  uint8_t invflags = 0;   // the rule header's inversion flags
  std::string jump_name;  // targets: the name iptables-save prints after -j (the blob's name)
};

struct XtSaved {
  bool ok = false;    // printed by the extension's own save callback
  std::string text;   // " -m tcp --dport 80", " -j REJECT --reject-with tcp-reset"
  std::string error;  // why not ("no libxtables extension for match foo", ...)
};

// family "ip" or "ip6". Results in item order; on a failure of the child every item is !ok.
std::vector<XtSaved> xt_save(const std::vector<XtSaveItem>& items, const std::string& family);

}  // namespace pktloss
