#pragma once
// The "now" part of a snapshot: live sessions, the current 5-hour block against its limit,
// recent blocks for a chart, budget statuses and the notices raised by budget crossings.
// The worker keeps a LiveModel: what depends only on the data (per-row costs, the blocks,
// the budget samples) is computed once per data change, so a clock-only refresh (elapsed
// times, a block running out) costs a walk over the newest rows.

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/live/blocks.hpp"
#include "core/live/budgets.hpp"
#include "core/live/live_usage.hpp"
#include "core/pricing.hpp"
#include "core/store/usage_table.hpp"
#include "core/timeutil.hpp"

namespace costdeck::live {

// Day / week (Monday) / month bounds in `zone`: what budgets of those periods measure.
PeriodFn zone_periods(const timeutil::Zone& zone);

// The block limit the user configured: the first overall (no tier, no project) token
// budget of period "block"; 0 when there is none.
std::int64_t configured_block_limit(const Config& cfg);

struct CurrentBlock {
  bool active = false;
  Block block;                    // meaningful when active
  std::int64_t limit_tokens = 0;  // configured, else the largest past block; 0: no history
  bool limit_configured = false;
  double used_fraction = 0;              // tokens so far / limit
  double projected_fraction = 0;         // projection at block end / limit
  LimitStatus status = LimitStatus::Ok;  // of the projection, as ccusage's tokenLimitStatus
};

struct PastBlock {
  std::int64_t start_ms = 0;
  std::int64_t tokens = 0;
  double cost_usd = 0;
  bool active = false;
};

// A budget crossed one of its thresholds. Raised once per crossing by the worker.
struct BudgetNotice {
  std::uint64_t id = 0;  // increasing; the window hides the ones the user dismissed
  std::int64_t at_ms = 0;
  std::string budget_name;
  BudgetUnit unit = BudgetUnit::Usd;
  BudgetPeriod period = BudgetPeriod::Day;
  double threshold = 0;  // fraction crossed (0.8, 1.0, ...)
  double used = 0, limit = 0, fraction = 0, projected = 0;
  LimitStatus status = LimitStatus::Ok;
  std::string command;  // the budget's command, if any
  std::string title;    // "Budget premium / day at 80%"
  std::string body;     // "$9.80 of $12.00 used · projected $14.10"
};
BudgetNotice make_notice(const CrossingTracker::Crossing& c, std::uint64_t id, std::int64_t now_ms);
std::string format_budget_amount(double v, BudgetUnit u);  // $12.00 / 1.2M tokens

struct LiveData {
  bool built = false;
  std::int64_t now_ms = 0;
  std::vector<LiveSession> sessions;  // active within the idle window, newest first
  double today_cost = 0;              // every runtime and project, the user's zone
  std::int64_t today_tokens = 0;
  CurrentBlock current;
  std::vector<PastBlock> recent_blocks;  // the last few non-gap Claude blocks, oldest first
  std::vector<BudgetStatus> budgets;     // one per configured budget, in config order
  std::vector<std::string> tiers;        // tiers the usage rows fall in (for the Settings form)
  std::vector<BudgetNotice> notices;     // the latest crossings, oldest first
  // The config file the Settings view edits, and what happened at the last save.
  std::string config_path;
  std::string config_message;
  bool config_error = false;
};

class LiveModel {
 public:
  // Recomputes the data-dependent caches when `generation` differs from the last call (the
  // caller bumps it when the usage table or the config changed). `t` must stay alive and
  // unchanged until the next call with a new generation. `kept_rows`: how many leading rows
  // of `t` are the same as at the last call with the same prices and config (an append
  // keeps them all; 0 recomputes everything).
  void update(const store::UsageTable& t, const PriceTable& prices, const Config& cfg,
              std::uint64_t generation, std::int64_t now_ms, std::size_t kept_rows = 0);
  // Each usage row's cost (costdeck's rules) as of the last update.
  const RowCosts& costs() const { return costs_; }
  // Cheap: the clock-dependent parts (live sessions, the active block, budget periods).
  void build(const store::UsageTable& t, const Config& cfg, const timeutil::Zone& zone, std::int64_t now_ms,
             LiveData& out) const;
  // Whether anything shown depends on the clock right now (a live session, an active block):
  // the worker refreshes such snapshots now and then even when no data changes.
  static bool clock_sensitive(const LiveData& d);

 private:
  std::uint64_t generation_ = ~0ull;
  RowCosts costs_;
  std::vector<Block> blocks_;   // Claude rows up to the time of update(); activity not set
  std::size_t blocks_end_ = 0;  // rows before this one are in blocks_
  std::int64_t max_block_tokens_ = 0;
  std::vector<std::string> tier_names_;
  std::vector<BudgetSample> samples_;  // the last ~40 days: what day/week/month/session/block need
  // By interned session: no later than its first response (rows an append replaced may
  // have lowered it), so live_sessions starts at the earliest live session, not row 0.
  std::vector<std::int64_t> session_first_ms_;
};

}  // namespace costdeck::live
