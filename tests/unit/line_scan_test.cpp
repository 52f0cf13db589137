// find_lines: every newline, with whether the line before it holds "usage" (quotes
// included) or a NUL byte, exactly as splitting the bytes and searching each line would
// say, wherever lines, matches and near misses fall against the 32-byte steps; the bytes
// after the last newline (a partial line, and the padding after it) never count.
#include "core/sources/line_scan.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

using costdeck::sources::find_lines;
using costdeck::sources::LineEnd;

namespace {

std::vector<LineEnd> reference(std::string_view data) {
  std::vector<LineEnd> out;
  std::size_t start = 0;
  for (std::size_t nl = data.find('\n'); nl != std::string_view::npos; nl = data.find('\n', start)) {
    const std::string_view line = data.substr(start, nl - start);
    out.push_back(
        {nl, line.find("\"usage\"") != std::string_view::npos, line.find('\0') != std::string_view::npos});
    start = nl + 1;
  }
  return out;
}

void expect_same(const std::vector<LineEnd>& got, const std::vector<LineEnd>& want, const std::string& data) {
  ASSERT_EQ(got.size(), want.size()) << data;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].end, want[i].end) << "line " << i;
    EXPECT_EQ(got[i].usage_key, want[i].usage_key) << "line " << i << " of '" << data << "'";
    EXPECT_EQ(got[i].nul, want[i].nul) << "line " << i;
  }
}

}  // namespace

TEST(LineScan, AgreesWithSplittingAndSearching) {
  const std::string pieces[] = {
      "\"usage\"",   "\"usage\":{",        "\"usag", "\"u",  "usage\"", "\"uuid\"", "\"u\n\"",
      "\"usa\nge\"", std::string(1, '\0'), "\n",     "\n\n", "x",       "{\"a\":1}"};
  std::mt19937 rng(11);
  std::vector<LineEnd> got;
  for (int round = 0; round < 3000; ++round) {
    std::string data;
    const std::size_t len = rng() % 200;
    while (data.size() < len) {
      if (rng() % 3 == 0)
        data += pieces[rng() % std::size(pieces)];
      else
        data += static_cast<char>("ab \"u{}:,sage"[rng() % 13]);
    }
    // What follows the bytes is readable but is not theirs: a "usage" and newlines there
    // must change nothing.
    std::string padded = data + "age\"\n\"usage\"\n" + std::string(64, '\n');
    const auto want = reference(data);
    find_lines(padded.data(), data.size(), got);
    expect_same(got, want, data);
    costdeck::sources::detail::find_lines_portable(padded.data(), data.size(), got);
    expect_same(got, want, data);
    if (HasFailure()) return;
  }
}

// Lines far longer than a step, with the match or the NUL right before the newline.
TEST(LineScan, LongLinesKeepWhatTheySawUntilTheirNewline) {
  std::string data = std::string(1000, 'a') + "\"usage\"" + "\n" + std::string(999, 'b') + '\0' + "\n" +
                     std::string(70, 'c') + "\n";
  const std::string padded = data + std::string(64, 'x');
  std::vector<LineEnd> got;
  find_lines(padded.data(), data.size(), got);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[0].usage_key);
  EXPECT_FALSE(got[0].nul);
  EXPECT_FALSE(got[1].usage_key);
  EXPECT_TRUE(got[1].nul);
  EXPECT_FALSE(got[2].usage_key || got[2].nul);
  EXPECT_EQ(got[2].end, data.size() - 1);
}
