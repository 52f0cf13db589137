#include <gtest/gtest.h>

#include "core/model.hpp"

using namespace costdeck;

TEST(TokenCounts, CacheWritesAreBothTtlsAndTotalIsAllFourCategories) {
  TokenCounts t{.input = 10, .output = 20, .cache_write_5m = 3, .cache_write_1h = 4, .cache_read = 100};
  EXPECT_EQ(t.cache_write(), 7);
  EXPECT_EQ(t.total(), 137);
  EXPECT_EQ(t.prompt(), 117);
}

TEST(Runtime, NamesRoundTrip) {
  EXPECT_EQ(runtime_from_name(runtime_name(Runtime::Codex)), Runtime::Codex);
  EXPECT_EQ(runtime_from_name("claude-code"), Runtime::Claude);
  EXPECT_FALSE(runtime_from_name("gemini").has_value());
}
