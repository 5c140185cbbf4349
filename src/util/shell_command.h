#pragma once
// The one place that turns argument vectors into command lines for a POSIX shell. Every fix
// pktloss prints is built here, because its bytes come from the host (rule comments, interface
// and namespace names, process names) and a pasted command must never run any of them.
#include <string>
#include <string_view>
#include <vector>

namespace pktloss {

using Argv = std::vector<std::string>;

// One argument for sh: unchanged when it has only bytes no shell treats specially, else in
// single quotes with each ' written as '\''. Nothing inside single quotes is special to sh.
std::string quote_arg(std::string_view arg);

// The argv as one command line, every argument quoted by quote_arg.
std::string command_line(const Argv& argv);

// Text that follows "# " on a command line or stands as a comment line. A comment ends at a
// newline (the next line would run), so control bytes become '?'; nothing else in a comment is
// special to sh.
std::string shell_comment(std::string_view text);

// Splits option text pktloss itself formats ("parent 1: handle 10:", "tbf rate 1mbit ...") on
// spaces into arguments. Each word is still quoted on output, so even host bytes inside a word
// stay inside it; never use this on text that should be one argument.
Argv words(std::string_view text);

// a + b
Argv operator+(Argv a, const Argv& b);

// command_line(argv) + "   # note" (no namespace prefix: for commands that run on the host).
std::string with_note(const Argv& argv, std::string_view note);

}  // namespace pktloss
