// unescape_json_prefix: the first bytes of a JSON string body, unescaped, cut on a UTF-8
// boundary, without reading past the closing quote (escaped quotes are not one). find_bytes:
// the first occurrence, as std::string_view::find finds it, wherever it falls in the
// vector blocks.
#include "core/sources/text_scan.hpp"

#include <gtest/gtest.h>

#include <random>

using costdeck::sources::find_bytes;
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

// Near misses (first bytes, last byte, two of three probes) around real matches, at every
// position against the 16- and 32-byte blocks, and from every start offset.
TEST(TextScan, FindBytesFindsWhatFindFinds) {
  const std::string needles[] = {"\"usage\"", ":null", "abc", "ab", "x"};
  const std::string decoys[] = {"\"u",  "\"usag", "\"usage", "usage\"", "\"uuid\"",
                                ":nul", "null",   "ab",      "a",       "bc"};
  std::mt19937 rng(7);
  for (const std::string& needle : needles) {
    for (int round = 0; round < 400; ++round) {
      std::string hay;
      const std::size_t len = rng() % 140;
      while (hay.size() < len) {
        const unsigned pick = rng() % 10;
        if (pick < 4)
          hay += decoys[rng() % std::size(decoys)];
        else if (pick == 4 && rng() % 3 == 0)
          hay += needle;
        else
          hay += static_cast<char>("{}\":,auglensx "[rng() % 15]);
      }
      const std::string_view h(hay);
      for (std::size_t from = 0; from <= hay.size() + 1; ++from)
        ASSERT_EQ(find_bytes(h, needle, from),
                  from > hay.size() ? std::string_view::npos : h.find(needle, from))
            << "needle " << needle << " in '" << hay << "' from " << from;
    }
  }
}
