#include "render/text_path.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace pktloss {
namespace {

constexpr int kGapCols = 4;
constexpr int kMaxColumn = 52;

// A grid of terminal cells; each holds one glyph (maybe with colour codes around it), so
// multi-byte box-drawing characters and ANSI sequences never disturb the alignment.
class Grid {
 public:
  explicit Grid(int width) : width_(width) {}
  int add_row() {
    rows_.emplace_back(width_, " ");
    return static_cast<int>(rows_.size()) - 1;
  }
  void put(int r, int c, const char* glyph) {
    if (c >= 0 && c < width_) rows_[r][c] = glyph;
  }
  void hline(int r, int c1, int c2, const char* glyph = "\u2500") {
    for (int c = c1; c <= c2; ++c) put(r, c, glyph);
  }
  // ASCII text at (r, c), at most n cells; wrapped in `pre`/`post` (colour) when given.
  void text(int r, int c, const std::string& s, int n, const std::string& pre = "",
            const std::string& post = "") {
    std::string t = static_cast<int>(s.size()) > n
                        ? s.substr(0, std::max(0, n - 3)) + std::string(n >= 3 ? "..." : "")
                        : s;
    for (size_t i = 0; i < t.size() && c + static_cast<int>(i) < width_; ++i)
      rows_[r][c + i] = std::string(1, t[i]);
    if (t.empty() || pre.empty()) return;
    rows_[r][c] = pre + rows_[r][c];
    int last = std::min<int>(c + static_cast<int>(t.size()) - 1, width_ - 1);
    rows_[r][last] += post;
  }
  std::string str() const {
    std::string o;
    for (const auto& row : rows_) {
      std::string line;
      for (const auto& cell : row) line += cell;
      while (!line.empty() && line.back() == ' ') line.pop_back();
      o += line + "\n";
    }
    return o;
  }

 private:
  int width_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace

std::string render_text_path(const PathView& v, const TextPathStyle& style) {
  const int n = static_cast<int>(v.columns.size());
  if (n < 2) return "";
  bool outside = false;
  for (const auto& l : v.links) outside |= l.b == PathConnection::kOutside;
  for (const auto& t : v.traffic) outside |= t.to == PathConnection::kOutside;
  const int spare = outside ? 6 : 0;
  const int cw = std::min(kMaxColumn, (style.width - 2 - spare - kGapCols * (n - 1)) / n);
  if (cw < kTextPathMinColumn) return "";
  const int total = 2 + n * cw + kGapCols * (n - 1) + spare;
  auto left = [&](size_t i) { return 2 + static_cast<int>(i) * (cw + kGapCols); };
  auto centre = [&](size_t i) {
    return i == PathConnection::kOutside ? total - 2 : left(i) + cw / 2;
  };
  auto paint = [&](LayerStatus status, const std::string& s) {
    return style.paint ? style.paint(status, s) : s;
  };
  auto number = [&](size_t f) { return style.number ? style.number(f) : static_cast<int>(f) + 1; };

  Grid g(total);
  // Probe traffic: an arrow from the probing stack to the probed one, its loss on it.
  for (const auto& t : v.traffic) {
    int a = centre(t.from), b = centre(t.to);
    int r = g.add_row();
    int lo = std::min(a, b), hi = std::max(a, b);
    g.hline(r, lo, hi);
    g.put(r, b, b > a ? ">" : "<");
    std::string label = " " + t.label + " ";
    int room = std::max(hi - lo - 3, 0);
    if (room > 8) g.text(r, lo + 2, label, room, "", "");
  }

  // Heads.
  int head = g.add_row();
  for (size_t i = 0; i < v.columns.size(); ++i) {
    const auto& c = v.columns[i];
    g.text(head, left(i), c.name + " (" + c.role + (c.probed ? ", probe target" : "") + ")", cw);
  }
  int top = g.add_row();
  for (size_t i = 0; i < v.columns.size(); ++i) {
    g.put(top, left(i), "\u250c");
    g.hline(top, left(i) + 1, left(i) + cw - 2);
    g.put(top, left(i) + cw - 1, "\u2510");
  }
  const size_t layers = std::size(kLayersTopDown);
  for (size_t li = 0; li < layers; ++li) {
    size_t most = 0;
    for (const auto& c : v.columns) most = std::max(most, c.layers[li].markers.size());
    for (size_t line = 0; line <= most; ++line) {
      int r = g.add_row();
      for (size_t i = 0; i < v.columns.size(); ++i) {
        const PathLayer& pl = v.columns[i].layers[li];
        int x = left(i);
        g.put(r, x, "\u2502");
        g.put(r, x + cw - 1, "\u2502");
        if (line == 0) {
          g.text(r, x + 2, to_string(pl.layer), 12);
          std::string st = pl.summary.status == LayerStatus::fault     ? "FAULT"
                           : pl.summary.status == LayerStatus::warning ? "warn"
                                                                       : "ok";
          std::string painted = paint(pl.summary.status, st);
          std::string pre = painted.substr(0, painted.find(st));
          std::string post = painted.substr(painted.find(st) + st.size());
          g.text(r, x + 15, st, 5, pre, post);
          if (pl.summary.drops)
            g.text(r, x + 22,
                   fmt::format("{} drop{}", pl.summary.drops, pl.summary.drops == 1 ? "" : "s"),
                   cw - 24);
        } else if (line - 1 < pl.markers.size()) {
          const PathMarker& m = pl.markers[line - 1];
          int num = number(m.finding);
          std::string tag = m.symptom ? fmt::format("({})", num) : fmt::format("[{}]", num);
          g.text(r, x + 3, tag + " " + short_id(m.id, pl.layer) + ": " + m.label, cw - 5);
        }
      }
    }
    int sep = g.add_row();
    bool last = li + 1 == layers;
    for (size_t i = 0; i < v.columns.size(); ++i) {
      int x = left(i);
      g.put(sep, x, last ? "\u2514" : "\u251c");
      g.hline(sep, x + 1, x + cw - 2);
      g.put(sep, x + cw - 1, last ? "\u2518" : "\u2524");
    }
    if (last)
      for (const auto& l : v.links) {
        g.put(sep, centre(l.a), "\u252c");
        if (l.b != PathConnection::kOutside) g.put(sep, centre(l.b), "\u252c");
      }
  }

  // Links: one line each; the columns whose links come later keep a vertical line down.
  for (size_t k = 0; k < v.links.size(); ++k) {
    const auto& l = v.links[k];
    int r = g.add_row();
    for (size_t j = k + 1; j < v.links.size(); ++j) {
      g.put(r, centre(v.links[j].a), "\u2502");
      if (v.links[j].b != PathConnection::kOutside) g.put(r, centre(v.links[j].b), "\u2502");
    }
    int a = centre(l.a), b = centre(l.b);
    int lo = std::min(a, b), hi = std::max(a, b);
    g.hline(r, lo, hi);
    if (l.b == PathConnection::kOutside) {
      g.put(r, a, "\u2514");
      g.put(r, hi, ">");
    } else {
      g.put(r, lo, "\u2514");
      g.put(r, hi, "\u2518");
    }
    // The label on the line, or after it when the line is too short.
    std::string label = " " + l.label + " ";
    if (hi - lo - 4 >= static_cast<int>(label.size()))
      g.text(r, lo + (hi - lo - static_cast<int>(label.size())) / 2 + 1, label,
             static_cast<int>(label.size()));
    else
      g.text(r, lo + 2, label, std::max(hi - lo - 3, 0));
  }
  return g.str();
}

}  // namespace pktloss
