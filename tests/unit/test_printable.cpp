// printable_line: what an error message quotes from outside stays on one line and cannot drive
// the terminal; valid UTF-8 passes unchanged.
#include <gtest/gtest.h>

#include "util/printable.h"

using pktloss::printable_line;

TEST(PrintableLine, PlainAsciiAndUtf8PassUnchanged) {
  EXPECT_EQ(printable_line("no network namespace 'x'"), "no network namespace 'x'");
  EXPECT_EQ(printable_line("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(PrintableLine, ControlBytesAreEscaped) {
  EXPECT_EQ(printable_line("two\nlines"), "two\\nlines");
  EXPECT_EQ(printable_line("a\tb"), "a\\tb");
  EXPECT_EQ(printable_line("esc\x1b[31mred\r"), "esc\\x1b[31mred\\x0d");
  EXPECT_EQ(printable_line(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(printable_line("del\x7f"), "del\\x7f");
}

TEST(PrintableLine, InvalidUtf8IsEscapedBytewise) {
  EXPECT_EQ(printable_line("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(printable_line("\xc3"), "\\xc3");                             // truncated sequence
  EXPECT_EQ(printable_line("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(printable_line("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // surrogate
  EXPECT_EQ(printable_line("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(printable_line("\xe2\x82"), "\\xe2\\x82");
}
