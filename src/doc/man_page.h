#pragma once
// Section 8 man pages from the CLI definitions (SYNOPSIS, OPTIONS, COMMANDS) merged with the prose
// of docs/man/<page>.md (DESCRIPTION, EXAMPLES, EXIT STATUS, FILES, SEE ALSO ...).
#include <functional>
#include <string>
#include <vector>

#include "doc/cli_model.h"

namespace pktloss::doc {

struct ManPage {
  std::string name;  // "pktloss", "pktloss-check"; the file is <name>.8
  std::string roff;
};

// The Markdown prose for a page ("" when there is none: the page is then generated only).
using ProseLookup = std::function<std::string(const std::string& page)>;

std::vector<ManPage> render_man_pages(const CliDoc& cli, const ProseLookup& prose,
                                      const std::string& version);

// The subset of Markdown the prose files use: "## SECTION", paragraphs, "- " bullets, indented or
// fenced code blocks, `code` and *emphasis*. Returns roff for the body of one section.
std::string markdown_to_roff(const std::string& markdown);

// Escapes text for roff: backslashes, leading dots/quotes; with `minus`, '-' becomes \- too.
std::string roff_escape(const std::string& text, bool minus = false);

}  // namespace pktloss::doc
