#include "render/sparkline.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace pktloss {

std::string sparkline(const std::vector<double>& values, size_t width, bool utf8) {
  static const char* const kBlocks[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                        "\u2585", "\u2586", "\u2587", "\u2588"};
  static const char kAscii[] = "_.-:=+*#";
  size_t from = values.size() > width ? values.size() - width : 0;
  double top = 0;
  for (size_t i = from; i < values.size(); ++i)
    if (std::isfinite(values[i])) top = std::max(top, values[i]);
  std::string out;
  for (size_t i = from; i < values.size(); ++i) {
    double v = values[i];
    int level = 0;
    if (top > 0 && v > 0 && std::isfinite(v))
      level = 1 + std::min(6, static_cast<int>(v / top * 6.999));
    if (utf8)
      out += kBlocks[level];
    else
      out += kAscii[level];
  }
  return out;
}

bool utf8_locale(const char* lc_all, const char* lc_ctype, const char* lang) {
  const char* name = nullptr;
  for (const char* v : {lc_all, lc_ctype, lang})
    if (v && *v) {
      name = v;
      break;
    }
  if (!name) return false;
  std::string s;
  for (const char* p = name; *p; ++p)
    if (*p != '-' && *p != '_')
      s += static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
  return s.find("utf8") != std::string::npos;
}

}  // namespace pktloss
