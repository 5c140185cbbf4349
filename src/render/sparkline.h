#pragma once
// A row of block characters for a series of rates (watch's time line per layer): the last
// `width` values, scaled to the largest. Zero is the lowest block and anything above zero at
// least the second, so a single drop stands out. ASCII when the terminal is not UTF-8.
#include <cstddef>
#include <string>
#include <vector>

namespace pktloss {

std::string sparkline(const std::vector<double>& values, size_t width, bool utf8);

// Whether the locale the environment names (LC_ALL, else LC_CTYPE, else LANG: the first set)
// encodes UTF-8. Unset or "C"/"POSIX": not.
bool utf8_locale(const char* lc_all, const char* lc_ctype, const char* lang);

}  // namespace pktloss
