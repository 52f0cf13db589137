#pragma once
// What is happening now: per-response costs, the live sessions (cost, tokens, rates,
// elapsed), the 5-hour blocks and the budget samples, all from one UsageTable. The window's
// live view, the compact window, `report blocks|budgets` and the status line share it.

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/live/blocks.hpp"
#include "core/live/budgets.hpp"
#include "core/pricing.hpp"
#include "core/store/usage_table.hpp"

namespace costdeck::live {

// The model a row is priced and shown as: Codex rows without a turn_context model are
// gpt-5 (ccusage's fallback); fast-mode rows get "-fast".
std::string display_model(const store::UsageTable& t, const store::UsageRow& r);

// One cost per row of `t`, in row order, and whether each row's model had a price.
struct RowCosts {
  std::vector<double> usd;
  std::vector<bool> priced;
};
RowCosts price_rows(const store::UsageTable& t, const PriceTable& prices, const CostRules& rules);
// Brings `out` to the rows of `t`, pricing rows from `from` on and keeping the costs before it.
void price_rows_from(const store::UsageTable& t, const PriceTable& prices, const CostRules& rules,
                     std::size_t from, RowCosts& out);

struct LiveSession {
  std::string session_id;
  std::string project;
  std::string model;  // the latest response's
  Runtime runtime = Runtime::Claude;
  std::int64_t first_ms = 0, last_ms = 0;
  std::int64_t responses = 0;
  TokenCounts tokens;
  double cost_usd = 0;
  double tokens_per_minute = 0;  // over first → last response (0 with a single response)
  double cost_per_hour = 0;
  std::int64_t elapsed_ms = 0;  // first response → now
};

constexpr std::int64_t kLiveIdleMs = 10 * 60'000;
// Sessions whose last response is within `idle_ms` of `now_ms`, newest activity first.
// `first_ms` (optional, by interned session): no later than each session's first response;
// rows before the earliest live session's are then not visited.
std::vector<LiveSession> live_sessions(const store::UsageTable& t, const RowCosts& costs, std::int64_t now_ms,
                                       std::int64_t idle_ms = kLiveIdleMs,
                                       const std::vector<std::int64_t>* first_ms = nullptr);

// Every row as a block entry (model index = the table's model index).
std::vector<BlockEntry> block_entries(const store::UsageTable& t, const RowCosts& costs);
// The name of a block entry's model index (block_entries: fast-mode rows get "-fast").
std::string block_model_name(const store::UsageTable& t, std::int32_t model);

// Every row as a budget sample; tiers by the config's rules (model family, runtime, project).
// The returned samples point into `t` and `tier_names`: keep both alive. Rows before
// `first_row` and from `end_row` on are left out (rows are in time order: budgets need only
// the recent ones, and none from after "now").
std::vector<BudgetSample> budget_samples(const store::UsageTable& t, const RowCosts& costs, const Config& cfg,
                                         std::vector<std::string>& tier_names, std::size_t first_row = 0,
                                         std::size_t end_row = static_cast<std::size_t>(-1));
// The same into `out`, reusing its memory (the live model refills it on every data change).
void budget_samples(const store::UsageTable& t, const RowCosts& costs, const Config& cfg,
                    std::vector<std::string>& tier_names, std::size_t first_row, std::size_t end_row,
                    std::vector<BudgetSample>& out);

}  // namespace costdeck::live
