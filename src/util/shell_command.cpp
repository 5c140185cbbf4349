#include "util/shell_command.h"

namespace pktloss {
namespace {

// Bytes no POSIX shell gives a meaning to in any position of a word ('~' and '#' are special
// at the start of a word, so they are not in this set; '=' is handled by its caller).
bool plain_byte(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '_':
    case '-':
    case '.':
    case ':':
    case '/':
    case '+':
    case '@':
    case ',':
    case '%':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string quote_arg(std::string_view arg) {
  bool plain = !arg.empty();
  for (unsigned char c : arg) plain = plain && (plain_byte(c) || c == '=');
  // NAME=VALUE as the first word would be an assignment, not a command: quote '=' when what
  // precedes it is a valid shell name. ("net.core.rmem_max=1", "--x=1" stay readable.)
  auto eq = arg.find('=');
  if (plain && eq != std::string_view::npos) {
    bool name = eq > 0 && !(arg[0] >= '0' && arg[0] <= '9');
    for (size_t i = 0; i < eq && name; ++i) {
      unsigned char c = static_cast<unsigned char>(arg[i]);
      name = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
    plain = !name;
  }
  if (plain) return std::string(arg);
  std::string q = "'";
  for (char c : arg) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  q += '\'';
  return q;
}

std::string command_line(const Argv& argv) {
  std::string line;
  for (const auto& a : argv) {
    if (!line.empty()) line += ' ';
    line += quote_arg(a);
  }
  return line;
}

std::string shell_comment(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  return out;
}

Argv words(std::string_view text) {
  Argv out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ') ++j;
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

Argv operator+(Argv a, const Argv& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string with_note(const Argv& argv, std::string_view note) {
  std::string line = command_line(argv);
  if (!note.empty()) line += "   # " + shell_comment(note);
  return line;
}

}  // namespace pktloss
