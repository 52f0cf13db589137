#include <gtest/gtest.h>

#include "core/sources/claude_line.hpp"

using costdeck::sources::ClaudeLine;
using costdeck::sources::parse_claude_line;

TEST(SourcesClaudeLine, ParsesAssistantUsage) {
  // cache writes are ephemeral_5m + ephemeral_1h when cache_creation is present
  ClaudeLine l;
  std::string err;
  ASSERT_TRUE(parse_claude_line(
      R"({"type":"assistant","timestamp":"2025-10-01T10:00:00.000Z","sessionId":"s1","version":"2.0.1","requestId":"r1","message":{"id":"m1","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"output_tokens":5,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"cache_creation":{"ephemeral_5m_input_tokens":30,"ephemeral_1h_input_tokens":20}}}})",
      l, &err))
      << err;
  EXPECT_TRUE(l.has_usage);
  EXPECT_EQ(l.tokens.cache_write_5m, 30);
  EXPECT_EQ(l.tokens.cache_write_1h, 20);
  EXPECT_FALSE(l.ccusage_skips);
}
