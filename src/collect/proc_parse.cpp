#include "collect/proc_parse.h"

#include <algorithm>

namespace pktloss {
namespace {

// More problems than this from one file say "this is not the format we know"; stop listing.
constexpr size_t kMaxProblems = 8;

void problem(ParseProblems& p, std::string text) {
  if (p.size() < kMaxProblems) p.push_back(std::move(text));
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = nl + 1;
  }
  return lines;
}

std::vector<std::string_view> split_ws(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::string shorten(std::string_view s) {
  return std::string(s.substr(0, 40)) + (s.size() > 40 ? "..." : "");
}

bool is_negative_integer(std::string_view s) {
  return s.size() > 1 && s[0] == '-' && parse_u64(s.substr(1)).has_value();
}

}  // namespace

std::optional<uint64_t> parse_u64(std::string_view s, int base) {
  if (s.empty() || s.size() > 64) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return std::nullopt;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base))
      return std::nullopt;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  return v;
}

void parse_snmp_pairs(std::string_view text, CounterMap& out, ParseProblems& problems) {
  auto lines = split_lines(text);
  size_t i = 0;
  while (i < lines.size()) {
    auto header = split_ws(lines[i]);
    if (header.empty()) {
      ++i;
      continue;
    }
    std::string_view group = header[0];
    if (group.size() < 2 || group.back() != ':') {
      problem(problems,
              "line " + std::to_string(i + 1) + ": no 'Group:' prefix: " + shorten(lines[i]));
      ++i;
      continue;
    }
    if (i + 1 >= lines.size()) {
      problem(problems, std::string(group) + " header without a value line (truncated?)");
      break;
    }
    auto values = split_ws(lines[i + 1]);
    if (values.empty() || values[0] != group) {
      // The value line is missing; the next line starts a new pair.
      problem(problems, std::string(group) + " header without a value line");
      ++i;
      continue;
    }
    if (header.size() != values.size())
      problem(problems, std::string(group) + " has " + std::to_string(header.size() - 1) +
                            " names but " + std::to_string(values.size() - 1) + " values");
    std::string prefix(group.substr(0, group.size() - 1));
    size_t n = std::min(header.size(), values.size());
    for (size_t k = 1; k < n; ++k) {
      auto v = parse_u64(values[k]);
      if (v) {
        out[prefix + "." + std::string(header[k])] = *v;
      } else if (!is_negative_integer(values[k])) {
        problem(problems,
                prefix + "." + std::string(header[k]) + ": not a number: " + shorten(values[k]));
      }
    }
    i += 2;
  }
}

void parse_snmp6(std::string_view text, CounterMap& out, ParseProblems& problems) {
  auto lines = split_lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto cols = split_ws(lines[i]);
    if (cols.empty()) continue;
    if (cols.size() != 2) {
      problem(problems,
              "line " + std::to_string(i + 1) + ": expected 'Name value': " + shorten(lines[i]));
      continue;
    }
    std::string_view name = cols[0];
    size_t six = name.find('6');
    if (six == std::string_view::npos || six == 0 || six + 1 >= name.size()) {
      problem(problems,
              "line " + std::to_string(i + 1) + ": unknown counter name " + shorten(name));
      continue;
    }
    auto v = parse_u64(cols[1]);
    if (!v) {
      problem(problems, std::string(name) + ": not a number: " + shorten(cols[1]));
      continue;
    }
    out[std::string(name.substr(0, six + 1)) + "." + std::string(name.substr(six + 1))] = *v;
  }
}

std::vector<SoftnetCpu> parse_softnet_stat(std::string_view text, ParseProblems& problems) {
  std::vector<SoftnetCpu> cpus;
  auto lines = split_lines(text);
  int line_no = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto cols = split_ws(lines[i]);
    if (cols.empty()) continue;
    int this_line = line_no++;
    if (cols.size() < 3) {
      problem(problems, "line " + std::to_string(i + 1) + ": " + std::to_string(cols.size()) +
                            " columns, need at least 3");
      continue;
    }
    std::vector<uint64_t> v(cols.size());
    bool ok = true;
    for (size_t k = 0; k < cols.size() && ok; ++k) {
      auto n = parse_u64(cols[k], 16);
      if (!n) {
        problem(problems, "line " + std::to_string(i + 1) + ": not hex: " + shorten(cols[k]));
        ok = false;
      } else {
        v[k] = *n;
      }
    }
    if (!ok) continue;
    SoftnetCpu c;
    c.cpu = this_line;
    if (v.size() >= 13 && v[12] < 1'000'000) c.cpu = static_cast<int>(v[12]);
    c.processed = v[0];
    c.dropped = v[1];
    c.time_squeeze = v[2];
    if (v.size() > 9) c.received_rps = v[9];
    if (v.size() > 10) c.flow_limit_count = v[10];
    cpus.push_back(c);
  }
  return cpus;
}

CounterMap parse_nf_conntrack_stat(std::string_view text, ParseProblems& problems) {
  CounterMap out;
  auto lines = split_lines(text);
  size_t i = 0;
  while (i < lines.size() && split_ws(lines[i]).empty()) ++i;
  if (i >= lines.size()) {
    problem(problems, "empty");
    return out;
  }
  auto names = split_ws(lines[i]);
  if (parse_u64(names[0], 16)) {
    problem(problems, "no header line");
    return out;
  }
  for (size_t l = i + 1; l < lines.size(); ++l) {
    auto vals = split_ws(lines[l]);
    if (vals.empty()) continue;
    if (vals.size() != names.size())
      problem(problems, "line " + std::to_string(l + 1) + ": " + std::to_string(vals.size()) +
                            " values for " + std::to_string(names.size()) + " names");
    size_t n = std::min(vals.size(), names.size());
    for (size_t k = 0; k < n; ++k) {
      auto v = parse_u64(vals[k], 16);
      if (!v) {
        problem(problems, "line " + std::to_string(l + 1) + ": not hex: " + shorten(vals[k]));
        continue;
      }
      std::string key(names[k]);
      if (key == "entries") {
        out[key] = std::max(out[key], *v);
      } else {
        uint64_t& slot = out[key];
        slot = (UINT64_MAX - slot < *v) ? UINT64_MAX : slot + *v;  // saturate, never wrap
      }
    }
  }
  return out;
}

std::string normalize_sysctl_value(std::string_view raw) {
  std::string out;
  for (auto tok : split_ws(raw)) {
    while (!tok.empty() && (tok.back() == '\n' || tok.back() == '\r')) tok.remove_suffix(1);
    if (tok.empty()) continue;
    if (!out.empty()) out += ' ';
    out += tok;
  }
  // split_ws only splits on blanks and tabs; a value with embedded newlines keeps one line each.
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

}  // namespace pktloss
