// fuzz_regressions: every kept crash reproducer (fuzz/regressions/TARGET/) and every seed
// (fuzz/corpus/TARGET/) fed through its fuzz target's entry point, built by the normal compiler
// with the normal flags (a ctest, so it runs with the README's test command). A reproducer that
// crashes again fails the test (the process dies on it, and says which file it was on).
#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fuzz/fuzz_entry.h"

namespace pktloss::fuzz {

std::map<std::string, OneInput>& targets() {
  static std::map<std::string, OneInput> m;
  return m;
}
std::map<std::string, Init>& inits() {
  static std::map<std::string, Init> m;
  return m;
}
bool register_target(const char* name, OneInput one) {
  targets()[name] = one;
  return true;
}
bool register_init(const char* name, Init init) {
  inits()[name] = init;
  return true;
}

}  // namespace pktloss::fuzz

namespace {

std::vector<std::string> list(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') out.push_back(e->d_name);
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pktloss::fuzz;
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_regressions FUZZ_DIR\n");
    return 2;
  }
  std::string root = argv[1];
  int status = 0;
  // Every directory must belong to a target: a misspelt one would silently test nothing.
  for (const char* kind : {"regressions", "corpus"})
    for (const auto& t : list(root + "/" + kind))
      if (!targets().count(t)) {
        std::fprintf(stderr, "fuzz_regressions: %s/%s/%s: no such fuzz target\n", root.c_str(),
                     kind, t.c_str());
        status = 1;
      }
  for (const auto& [name, one] : targets()) {
    if (auto it = inits().find(name); it != inits().end()) it->second();
    size_t files = 0;
    for (const char* kind : {"regressions", "corpus"}) {
      std::string dir = root + "/" + kind + "/" + name;
      for (const auto& f : list(dir)) {
        std::string path = dir + "/" + f;
        std::ifstream in(path, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::fprintf(stderr, "%s\n", path.c_str());  // the last line names a crashing input
        one(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        ++files;
      }
    }
    std::printf("%s: %zu inputs, no crash\n", name.c_str(), files);
  }
  return status;
}
