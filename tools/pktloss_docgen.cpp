// pktloss_docgen: writes the man pages and shell completions from the same CLI11 app main() parses
// (src/cli/app.cpp), merged with the prose of docs/man/*.md. Runs at build time.
//   pktloss_docgen --man DIR --prose DIR --bash FILE --zsh FILE
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/app.h"
#include "doc/completion.h"
#include "doc/man_page.h"
#include "util/version.h"

namespace {

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) std::fprintf(stderr, "pktloss_docgen: cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pktloss;
  std::string man_dir, prose_dir, bash_file, zsh_file;
  CLI::App gen{"generate pktloss man pages and shell completions"};
  gen.add_option("--man", man_dir, "directory for the section 8 pages");
  gen.add_option("--prose", prose_dir, "directory of <page>.md prose files");
  gen.add_option("--bash", bash_file, "bash completion file to write");
  gen.add_option("--zsh", zsh_file, "zsh completion file to write");
  CLI11_PARSE(gen, argc, argv);

  CommonOptions common;
  CommandRunner run;
  auto app = make_app(common, run);
  doc::CliDoc cli = doc::describe_cli(*app);
  bool ok = true;
  if (!man_dir.empty()) {
    auto prose = [&](const std::string& page) {
      if (prose_dir.empty()) return std::string();
      std::ifstream in(prose_dir + "/" + page + ".md");
      std::stringstream ss;
      ss << in.rdbuf();
      return ss.str();
    };
    for (const auto& page : doc::render_man_pages(cli, prose, version_number()))
      ok = write_file(man_dir + "/" + page.name + ".8", page.roff) && ok;
  }
  if (!bash_file.empty()) ok = write_file(bash_file, doc::render_bash_completion(cli)) && ok;
  if (!zsh_file.empty()) ok = write_file(zsh_file, doc::render_zsh_completion(cli)) && ok;
  return ok ? 0 : 1;
}
