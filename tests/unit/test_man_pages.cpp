// Man pages and completions are generated from the real CLI definitions (make_app): every option of
// every subcommand must appear in its page and in the completion script.
#include <gtest/gtest.h>

#include "cli/app.h"
#include "doc/cli_model.h"
#include "doc/completion.h"
#include "doc/man_page.h"

namespace pktloss::doc {
namespace {

CliDoc real_cli() {
  static CommonOptions common;
  static CommandRunner run;
  static auto app = make_app(common, run);
  return describe_cli(*app);
}

const ManPage* find_page(const std::vector<ManPage>& pages, const std::string& name) {
  for (const auto& p : pages)
    if (p.name == name) return &p;
  return nullptr;
}

TEST(ManPages, EverySubcommandHasAPageNamingEveryOption) {
  CliDoc cli = real_cli();
  ASSERT_GE(cli.commands.size(), 5u);
  auto pages = render_man_pages(
      cli, [](const std::string&) { return std::string(); }, "9.9");
  ASSERT_EQ(pages.size(), cli.commands.size() + 1);
  for (const auto& c : cli.commands) {
    const ManPage* page = find_page(pages, "pktloss-" + c.name);
    ASSERT_NE(page, nullptr) << c.name;
    EXPECT_NE(page->roff.find(".TH PKTLOSS-" + std::string(1, std::toupper(c.name[0]))),
              std::string::npos);
    ASSERT_FALSE(c.options.empty()) << c.name;
    for (const auto& o : c.options)
      for (const auto& n : o.names)
        EXPECT_NE(page->roff.find("\\fB" + roff_escape(n, true) + "\\fR"), std::string::npos)
            << "pktloss-" << c.name << "(8) lacks " << n;
    const ManPage* top = find_page(pages, "pktloss");
    ASSERT_NE(top, nullptr);
    EXPECT_NE(top->roff.find("\\fBpktloss\\-" + c.name + "\\fR(8)"), std::string::npos);
  }
}

TEST(ManPages, CommonOptionsAndValueKindsComeFromTheDefinitions) {
  CliDoc cli = real_cli();
  for (const auto& c : cli.commands) {
    bool netns = false;
    for (const auto& o : c.options)
      if (o.names.back() == "--netns") {
        netns = true;
        EXPECT_TRUE(o.takes_value);
        EXPECT_EQ(o.kind, ValueKind::netns);
        EXPECT_FALSE(o.excludes.empty()) << "-n excludes -p";
      }
    EXPECT_TRUE(netns) << c.name;
  }
}

TEST(ManPages, ProseSectionsMergeAroundGeneratedOptions) {
  CliDoc cli;
  cli.commands.push_back({"demo", "demo things", {}});
  OptionDoc o;
  o.names = {"-x", "--extra"};
  o.takes_value = true;
  o.value_name = "INT";
  o.constraint = "INT in [1 - 5]";
  o.description = "how many";
  cli.commands[0].options.push_back(o);
  auto pages = render_man_pages(
      cli,
      [](const std::string& page) {
        return page == "pktloss-demo" ? std::string(
                                            "## DESCRIPTION\nDoes **demo** `-x 1`.\n\n"
                                            "## EXAMPLES\n    pktloss demo -x 2\n")
                                      : std::string();
      },
      "1.0");
  const std::string& roff = pages.at(1).roff;
  auto desc = roff.find(".SH DESCRIPTION\nDoes \\fBdemo\\fR \\fB\\-x 1\\fR.");
  auto opts = roff.find(".SH OPTIONS\n.TP\n\\fB\\-x\\fR, \\fB\\-\\-extra\\fR \\fIINT\\fR\n");
  auto examples = roff.find(".SH EXAMPLES\n.RS 4\n.nf\npktloss demo \\-x 2\n.fi\n.RE\n");
  auto exit_status = roff.find(".SH EXIT STATUS\n");
  ASSERT_NE(desc, std::string::npos) << roff;
  ASSERT_NE(opts, std::string::npos) << roff;
  ASSERT_NE(examples, std::string::npos) << roff;
  ASSERT_NE(exit_status, std::string::npos) << roff;
  EXPECT_LT(desc, opts);
  EXPECT_LT(opts, exit_status);
  EXPECT_LT(exit_status, examples);  // man-pages(7) order
  EXPECT_NE(roff.find("Accepts INT in [1 \\- 5]."), std::string::npos);
}

TEST(ManPages, RoffEscapesControlCharacters) {
  EXPECT_EQ(roff_escape(".start\n'quote a\\b"), "\\&.start\n\\&'quote a\\eb");
  EXPECT_EQ(roff_escape("a-b", true), "a\\-b");
  EXPECT_EQ(markdown_to_roff("one\ntwo\n\n- item\n\nthree\n"),
            "one\ntwo\n.IP \\(bu 2\nitem\n.PP\nthree\n");
}

TEST(Completion, BashNamesEverySubcommandAndOption) {
  CliDoc cli = real_cli();
  std::string bash = render_bash_completion(cli);
  EXPECT_NE(bash.find("complete -F _pktloss pktloss"), std::string::npos);
  for (const auto& c : cli.commands) {
    EXPECT_NE(bash.find("    " + c.name + ")\n"), std::string::npos) << c.name;
    for (const auto& o : c.options)
      for (const auto& n : o.names) EXPECT_NE(bash.find(n), std::string::npos) << n;
  }
  EXPECT_NE(bash.find("-n | --netns)\n          _pktloss_words \"$(_pktloss_netns)\""),
            std::string::npos);
  std::string zsh = render_zsh_completion(cli);
  EXPECT_EQ(zsh.rfind("#compdef pktloss\n", 0), 0u);
}

}  // namespace
}  // namespace pktloss::doc
