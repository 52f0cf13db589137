#include <gtest/gtest.h>

#include "core/live/blocks.hpp"

using namespace costdeck;
using namespace costdeck::live;

namespace {
constexpr std::int64_t kMin = 60'000;
// 2026-11-23T00:00:00Z
constexpr std::int64_t kDay = 1'795'392'000'000;

BlockEntry at(std::int64_t ts, std::int64_t in, std::int64_t out, double cost = 0, int model = 0) {
  BlockEntry e;
  e.ts_ms = ts;
  e.tokens.input = in;
  e.tokens.output = out;
  e.cost_usd = cost;
  e.model = model;
  return e;
}
}  // namespace

// Rule: a block starts at the UTC hour of its first message and lasts five hours.
TEST(Blocks, StartIsFlooredToTheHourAndLastsFiveHours) {
  auto bs = identify_blocks({at(kDay + 9 * kHourMs + 37 * kMin, 10, 5)}, kDay + 30 * kHourMs);
  ASSERT_EQ(bs.size(), 1u);
  EXPECT_EQ(bs[0].start_ms, kDay + 9 * kHourMs);
  EXPECT_EQ(bs[0].end_ms, kDay + 14 * kHourMs);
  EXPECT_FALSE(bs[0].is_active);
  EXPECT_EQ(bs[0].tokens.total(), 15);
}

// Rule: a message more than five hours after the block's start opens a new block even with
// no long silence; no gap block then.
TEST(Blocks, FiveHoursAfterStartOpensANewBlockWithoutGap) {
  std::vector<BlockEntry> es;
  for (int i = 0; i <= 12; ++i) es.push_back(at(kDay + 10 * kHourMs + i * 30 * kMin, 1, 1));  // every 30 min
  auto bs = identify_blocks(es, kDay + 40 * kHourMs);
  ASSERT_EQ(bs.size(), 2u);
  EXPECT_FALSE(bs[0].is_gap);
  EXPECT_FALSE(bs[1].is_gap);
  EXPECT_EQ(bs[0].entries, 11);  // 10:00 .. 15:00 inclusive (exactly 5 h is still inside)
  EXPECT_EQ(bs[1].start_ms, kDay + 15 * kHourMs);
}

// Rule: silence longer than five hours ends the block and leaves a gap block between.
TEST(Blocks, LongSilenceLeavesAGapBlock) {
  auto bs = identify_blocks({at(kDay + 1 * kHourMs, 1, 1), at(kDay + 12 * kHourMs + 5 * kMin, 1, 1)},
                            kDay + 40 * kHourMs);
  ASSERT_EQ(bs.size(), 3u);
  EXPECT_TRUE(bs[1].is_gap);
  EXPECT_EQ(bs[1].start_ms, kDay + 6 * kHourMs);  // last message + 5 h
  EXPECT_EQ(bs[1].end_ms, kDay + 12 * kHourMs + 5 * kMin);
  EXPECT_EQ(bs[2].start_ms, kDay + 12 * kHourMs);
}

// Rule: the block is active while now is before its end and within 5 h of its last message;
// burn rate is tokens over first→last message minutes; projection extends it to block end.
TEST(Blocks, ActiveBlockHasBurnRateAndProjection) {
  std::int64_t start = kDay + 8 * kHourMs;
  auto bs = identify_blocks({at(start + 0 * kMin, 600, 0, 1.0), at(start + 60 * kMin, 600, 0, 1.0)},
                            start + 120 * kMin);
  ASSERT_EQ(bs.size(), 1u);
  ASSERT_TRUE(bs[0].is_active);
  ASSERT_TRUE(bs[0].burn.has_value());
  EXPECT_DOUBLE_EQ(bs[0].burn->tokens_per_minute, 20.0);  // 1200 tokens / 60 min
  EXPECT_DOUBLE_EQ(bs[0].burn->cost_per_hour, 2.0);
  ASSERT_TRUE(bs[0].projection.has_value());
  EXPECT_EQ(bs[0].projection->remaining_minutes, 180);
  EXPECT_EQ(bs[0].projection->total_tokens, 1200 + 20 * 180);
  EXPECT_DOUBLE_EQ(bs[0].projection->total_cost, 8.0);
}

TEST(Blocks, SingleMessageBlockHasNoBurnRate) {
  auto bs = identify_blocks({at(kDay, 5, 5)}, kDay + 10 * kMin);
  ASSERT_EQ(bs.size(), 1u);
  EXPECT_TRUE(bs[0].is_active);
  EXPECT_FALSE(bs[0].burn.has_value());
  EXPECT_FALSE(bs[0].projection.has_value());
}

TEST(Blocks, ModelsListedOnceInOrderOfFirstUse) {
  auto bs = identify_blocks({at(kDay, 1, 1, 0, 2), at(kDay + kMin, 1, 1, 0, 1), at(kDay + 2 * kMin, 1, 1, 0, 2)},
                            kDay + 30 * kHourMs);
  ASSERT_EQ(bs.size(), 1u);
  EXPECT_EQ(bs[0].models, (std::vector<std::int32_t>{2, 1}));
}

TEST(Blocks, LimitStatusThresholds) {
  EXPECT_EQ(limit_status(80, 100), LimitStatus::Ok);
  EXPECT_EQ(limit_status(81, 100), LimitStatus::Warning);
  EXPECT_EQ(limit_status(101, 100), LimitStatus::Exceeded);
  EXPECT_EQ(limit_status(5, 0), LimitStatus::Ok);  // no limit configured
}

TEST(Blocks, MaxBlockTokensIgnoresGaps) {
  auto bs = identify_blocks({at(kDay, 100, 0), at(kDay + 20 * kHourMs, 7, 0)}, kDay + 60 * kHourMs);
  EXPECT_EQ(max_block_tokens(bs), 100);
}
