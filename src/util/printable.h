#pragma once
// Text that came from outside (arguments, file names, interface names) made safe for one line of
// a terminal or log: control bytes and bytes that are not UTF-8 become \n, \t, \xNN escapes, so
// an error message is always one line and cannot drive the terminal (ESC sequences).
#include <string>
#include <string_view>

namespace pktloss {

std::string printable_line(std::string_view text);

}  // namespace pktloss
