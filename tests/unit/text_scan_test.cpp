// unescape_json_prefix: the first bytes of a JSON string body, unescaped, cut on a UTF-8
// boundary, without reading past the closing quote (escaped quotes are not one).
#include "core/sources/text_scan.hpp"

#include <gtest/gtest.h>

using costdeck::sources::unescape_json_prefix;

namespace {

std::string unescape(const std::string& raw, std::size_t max_bytes = 2048) {
  std::string out = "left over";  // the output is replaced, not appended to
  unescape_json_prefix(raw.data(), raw.data() + raw.size(), max_bytes, out);
  return out;
}

}  // namespace

TEST(TextScan, StopsAtTheClosingQuote) {
  EXPECT_EQ(unescape(R"(hello" , "next": "x")"), "hello");
  EXPECT_EQ(unescape(R"(" empty)"), "");
}

TEST(TextScan, UnescapesEveryKind) {
  EXPECT_EQ(unescape(R"(a\nb\tc\"d\\e\/f\u00e9\ud83d\ude00" tail)"),
            "a\nb\tc\"d\\e/f\xC3\xA9\xF0\x9F\x98\x80");
  // An escaped backslash right before the closing quote: the quote ends the string.
  EXPECT_EQ(unescape(R"(ab\\" tail")"), "ab\\");
}

TEST(TextScan, ManyEscapedQuotesBeforeTheEnd) {
  // Every other byte an escape, the real quote far behind: all of it, in order.
  std::string raw, want;
  for (int i = 0; i < 300; ++i) {
    raw += "x\\\"";
    want += "x\"";
  }
  raw += "\" and then \"more\"";
  EXPECT_EQ(unescape(raw), want);
  // Cut to the limit.
  EXPECT_EQ(unescape(raw, 64), want.substr(0, 64));
}

TEST(TextScan, CutsOnACharacterBoundaryAndAtTheEnd) {
  std::string raw;
  for (int i = 0; i < 10; ++i) raw += "\\u00e9";  // two bytes each once unescaped
  raw += "\"";
  EXPECT_EQ(unescape(raw, 5), "\xC3\xA9\xC3\xA9");  // not half of the third
  // A string cut short (a truncated line): what is there.
  EXPECT_EQ(unescape(R"(no closing quote\n)"), "no closing quote\n");
  EXPECT_EQ(unescape(R"(dangling \)"), "dangling ");
}
