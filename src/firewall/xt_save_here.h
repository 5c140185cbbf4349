#pragma once
// The part of xt_save() that runs libxtables in the calling process: the forked child of
// xt_save() and the fuzz target, never pktloss's own process (libxtables keeps global state and
// an extension may exit()). libxtables must have been initialised for the family
// (xtables_init_all) by the caller.
#include "firewall/xt_save.h"

namespace pktloss {

// Prints one item with its extension's save callback. A blob shorter than the extension's own
// structure is refused (its save callback would read past it), not printed.
XtSaved xt_save_here(const XtSaveItem& item, bool ip6);

}  // namespace pktloss
