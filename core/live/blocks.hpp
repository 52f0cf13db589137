#pragma once
// Claude's 5-hour usage blocks, as the subscription counts them: a block starts at the UTC
// hour of its first message and lasts five hours; a message more than five hours after the
// block's start, or after the previous message, starts a new block (and the silence between
// is a gap block). Same boundaries as ccusage's `blocks` report.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"

namespace costdeck::live {

inline constexpr std::int64_t kHourMs = 3'600'000;
inline constexpr std::int64_t kDefaultBlockMs = 5 * kHourMs;

struct BlockEntry {
  std::int64_t ts_ms = 0;
  TokenCounts tokens;
  double cost_usd = 0;
  std::int32_t model = -1;  // caller's model index; -1 for none
};

struct BurnRate {
  double tokens_per_minute = 0;
  double tokens_per_minute_non_cache = 0;  // input + output only: what the indicator uses
  double cost_per_hour = 0;
};

struct Projection {
  std::int64_t total_tokens = 0;
  double total_cost = 0;  // rounded to cents, as ccusage does
  std::int64_t remaining_minutes = 0;
};

struct Block {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;                   // start + block length (gap: next block's first message)
  std::optional<std::int64_t> actual_end_ms;  // last message in the block
  std::optional<std::int64_t> first_ms;       // first message in the block
  bool is_active = false;
  bool is_gap = false;
  std::int64_t entries = 0;
  TokenCounts tokens;
  double cost_usd = 0;
  std::vector<std::int32_t> models;  // in order of first use
  std::optional<BurnRate> burn;       // active blocks only
  std::optional<Projection> projection;
};

// `entries` need not be sorted. `now_ms` decides which block is active.
std::vector<Block> identify_blocks(std::vector<BlockEntry> entries, std::int64_t now_ms,
                                   std::int64_t block_ms = kDefaultBlockMs);

std::optional<BurnRate> burn_rate(const Block& b);
std::optional<Projection> project_block(const Block& b, std::int64_t now_ms);

enum class LimitStatus { Ok, Warning, Exceeded };
// Warning above 80% of the limit, exceeded above it: ccusage's thresholds.
LimitStatus limit_status(std::int64_t value, std::int64_t limit, double warning_fraction = 0.8);
const char* limit_status_name(LimitStatus s);  // ok / warning / exceeds

// The largest non-gap block total: the default limit when the user configured none.
std::int64_t max_block_tokens(const std::vector<Block>& blocks);

}  // namespace costdeck::live
