#pragma once
// CLI11 validators the stock ones miss: CLI::Range lets NaN through (every comparison with NaN
// is false), and a string option may be given as '' where that would silently mean "none".
#include <CLI/CLI.hpp>
#include <cmath>
#include <string>

namespace pktloss {

// A real number in [lo, hi]; "nan" is rejected like any other value out of range.
inline CLI::Validator real_range(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        double v = 0;
        if (!CLI::detail::lexical_cast(s, v)) return "Value " + s + " is not a number";
        if (!(v >= lo && v <= hi))
          return "Value " + s + " not in range " + CLI::detail::to_string(lo) + " to " +
                 CLI::detail::to_string(hi);
        return {};
      },
      "REAL in [" + CLI::detail::to_string(lo) + " - " + CLI::detail::to_string(hi) + "]");
}

inline const CLI::Validator& non_empty() {
  static const CLI::Validator kNonEmpty(
      [](std::string& s) -> std::string { return s.empty() ? "must not be empty" : ""; }, "");
  return kNonEmpty;
}

// An HTTP request target: "/" and then visible ASCII only. A space, CR or LF would end the
// request line early and let the argument write headers of its own.
inline const CLI::Validator& http_path() {
  static const CLI::Validator kPath(
      [](std::string& s) -> std::string {
        if (s.empty() || s[0] != '/') return "must start with /";
        for (char c : s)
          if (c <= ' ' || c == 0x7f) return "must be visible ASCII without spaces";
        return {};
      },
      "PATH");
  return kPath;
}

}  // namespace pktloss
