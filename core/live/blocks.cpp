#include "core/live/blocks.hpp"

#include <algorithm>
#include <cmath>

namespace costdeck::live {
namespace {

std::int64_t floor_to_hour(std::int64_t ts) {
  std::int64_t r = ts % kHourMs;
  if (r < 0) r += kHourMs;
  return ts - r;
}

Block make_block(std::int64_t start, const std::vector<BlockEntry>& es, std::size_t from, std::size_t to,
                 std::int64_t now, std::int64_t block_ms) {
  Block b;
  b.start_ms = start;
  b.end_ms = start + block_ms;
  b.entries = static_cast<std::int64_t>(to - from);
  if (to > from) {
    b.first_ms = es[from].ts_ms;
    b.actual_end_ms = es[to - 1].ts_ms;
  }
  for (std::size_t i = from; i < to; ++i) {
    b.tokens += es[i].tokens;
    b.cost_usd += es[i].cost_usd;
    if (es[i].model >= 0 && std::find(b.models.begin(), b.models.end(), es[i].model) == b.models.end())
      b.models.push_back(es[i].model);
  }
  b.is_active = b.actual_end_ms && now - *b.actual_end_ms < block_ms && now < b.end_ms;
  if (b.is_active) {
    b.burn = burn_rate(b);
    b.projection = project_block(b, now);
  }
  return b;
}

}  // namespace

std::vector<Block> identify_blocks(std::vector<BlockEntry> es, std::int64_t now, std::int64_t block_ms) {
  std::vector<Block> blocks;
  if (es.empty()) return blocks;
  // Callers pass the usage table's rows, already in time order: a million-entry merge sort
  // on every data change is skipped then.
  auto by_time = [](const auto& a, const auto& b) { return a.ts_ms < b.ts_ms; };
  if (!std::is_sorted(es.begin(), es.end(), by_time)) std::stable_sort(es.begin(), es.end(), by_time);
  std::size_t first = 0;
  std::int64_t start = floor_to_hour(es[0].ts_ms);
  for (std::size_t i = 1; i < es.size(); ++i) {
    std::int64_t last = es[i - 1].ts_ms;
    std::int64_t since_start = es[i].ts_ms - start;
    std::int64_t since_last = es[i].ts_ms - last;
    if (since_start > block_ms || since_last > block_ms) {
      blocks.push_back(make_block(start, es, first, i, now, block_ms));
      if (since_last > block_ms) {
        Block gap;
        gap.is_gap = true;
        gap.start_ms = last + block_ms;
        gap.end_ms = es[i].ts_ms;
        blocks.push_back(gap);
      }
      start = floor_to_hour(es[i].ts_ms);
      first = i;
    }
  }
  blocks.push_back(make_block(start, es, first, es.size(), now, block_ms));
  return blocks;
}

std::optional<BurnRate> burn_rate(const Block& b) {
  if (b.is_gap || !b.first_ms || !b.actual_end_ms) return std::nullopt;
  double minutes = static_cast<double>(*b.actual_end_ms - *b.first_ms) / 60000.0;
  if (minutes <= 0) return std::nullopt;
  BurnRate r;
  r.tokens_per_minute = static_cast<double>(b.tokens.total()) / minutes;
  r.tokens_per_minute_non_cache = static_cast<double>(b.tokens.input + b.tokens.output) / minutes;
  r.cost_per_hour = b.cost_usd / minutes * 60.0;
  return r;
}

std::optional<Projection> project_block(const Block& b, std::int64_t now) {
  if (!b.is_active || b.is_gap) return std::nullopt;
  auto burn = burn_rate(b);
  if (!burn) return std::nullopt;
  double remaining = std::round(static_cast<double>(std::max<std::int64_t>(0, b.end_ms - now)) / 60000.0);
  Projection p;
  p.total_tokens = std::llround(static_cast<double>(b.tokens.total()) + burn->tokens_per_minute * remaining);
  p.total_cost = std::round((b.cost_usd + burn->cost_per_hour / 60.0 * remaining) * 100.0) / 100.0;
  p.remaining_minutes = static_cast<std::int64_t>(remaining);
  return p;
}

LimitStatus limit_status(std::int64_t value, std::int64_t limit, double warning_fraction) {
  if (limit <= 0) return LimitStatus::Ok;
  if (value > limit) return LimitStatus::Exceeded;
  if (static_cast<double>(value) > static_cast<double>(limit) * warning_fraction) return LimitStatus::Warning;
  return LimitStatus::Ok;
}

const char* limit_status_name(LimitStatus s) {
  switch (s) {
    case LimitStatus::Ok: return "ok";
    case LimitStatus::Warning: return "warning";
    case LimitStatus::Exceeded: return "exceeds";
  }
  return "ok";
}

std::int64_t max_block_tokens(const std::vector<Block>& blocks) {
  std::int64_t m = 0;
  for (const auto& b : blocks)
    if (!b.is_gap) m = std::max(m, b.tokens.total());
  return m;
}

}  // namespace costdeck::live
