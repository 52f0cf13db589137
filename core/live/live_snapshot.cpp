#include "core/live/live_snapshot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace costdeck::live {
namespace {

constexpr std::int64_t kDayMs = 24 * kHourMs;
constexpr std::size_t kRecentBlocks = 16;

std::string usd(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, v >= 100 ? "$%.0f" : "$%.2f", v);
  return buf;
}

std::string tokens(double v) {
  char buf[48];
  const double a = std::fabs(v);
  if (a >= 1e9)
    std::snprintf(buf, sizeof buf, "%.1fB", v / 1e9);
  else if (a >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1fM", v / 1e6);
  else if (a >= 1e3)
    std::snprintf(buf, sizeof buf, "%.0fk", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

PeriodFn zone_periods(const timeutil::Zone& zone) {
  return [zone](BudgetPeriod p, std::int64_t now) {
    timeutil::Day d = zone.day_of(now);
    timeutil::Day from = d, to = d + 1;
    if (p == BudgetPeriod::Week) {
      from = timeutil::week_start(d);
      to = from + 7;
    } else if (p == BudgetPeriod::Month) {
      from = timeutil::month_start(d);
      to = timeutil::month_start(from + 31);
    }
    return PeriodBounds{zone.start_of_day_ms(from), zone.start_of_day_ms(to)};
  };
}

std::int64_t configured_block_limit(const Config& cfg) {
  for (const auto& b : cfg.budgets)
    if (b.period == BudgetPeriod::Block && b.unit == BudgetUnit::Tokens && b.tier.empty() &&
        b.project.empty() && b.limit > 0)
      return static_cast<std::int64_t>(std::llround(b.limit));
  return 0;
}

std::string format_budget_amount(double v, BudgetUnit u) {
  return u == BudgetUnit::Usd ? usd(v) : tokens(v) + " tokens";
}

BudgetNotice make_notice(const CrossingTracker::Crossing& c, std::uint64_t id, std::int64_t now_ms) {
  const BudgetStatus& s = c.status;
  BudgetNotice n;
  n.id = id;
  n.at_ms = now_ms;
  n.budget_name = budget_display_name(s.budget);
  n.unit = s.budget.unit;
  n.period = s.budget.period;
  n.threshold = c.threshold;
  n.used = s.used;
  n.limit = s.budget.limit;
  n.fraction = s.fraction;
  n.projected = s.projected;
  n.status = s.status;
  n.command = s.budget.command;
  char pct[16];
  std::snprintf(pct, sizeof pct, "%.0f%%", c.threshold * 100.0);
  if (c.threshold == 1.0)
    n.title = "Budget reached: " + n.budget_name;
  else
    n.title = std::string("Budget ") + n.budget_name + " at " + pct;
  n.body = format_budget_amount(s.used, n.unit) + " of " + format_budget_amount(n.limit, n.unit) + " used";
  if (s.projected > s.used) n.body += " · projected " + format_budget_amount(s.projected, n.unit);
  return n;
}

void LiveModel::update(const store::UsageTable& t, const PriceTable& prices, const Config& cfg,
                       std::uint64_t generation, std::int64_t now_ms, std::size_t kept_rows) {
  if (generation == generation_) return;
  generation_ = generation;
  const std::size_t end = store::first_row_at(t, now_ms + 1);
  // Rows before `kept_rows` are as they were: their costs stay, and the blocks are
  // identified again only from the last block's first row (a block's bounds depend on
  // nothing before it), so an append costs its rows, not the history.
  kept_rows = std::min({kept_rows, costs_.usd.size(), t.rows.size()});
  std::size_t from = 0;
  if (kept_rows > 0 && !blocks_.empty() && !blocks_.back().is_gap && blocks_.back().first_ms) {
    from = store::first_row_at(t, *blocks_.back().first_ms);
    if (from > kept_rows || from > blocks_end_ || end < blocks_end_) from = 0;
  }
  price_rows_from(t, prices, CostRules{}, kept_rows, costs_);
  if (kept_rows == 0) session_first_ms_.clear();
  session_first_ms_.resize(t.sessions.size(), std::numeric_limits<std::int64_t>::max());
  for (std::size_t i = kept_rows; i < t.rows.size(); ++i) {
    const auto& r = t.rows[i];
    if (r.session >= 0) {
      auto& m = session_first_ms_[static_cast<std::size_t>(r.session)];
      m = std::min(m, r.ts_ms);
    }
  }
  if (from == 0)
    blocks_.clear();
  else
    blocks_.pop_back();
  std::vector<BlockEntry> claude;
  claude.reserve(end > from ? end - from : 0);
  for (std::size_t i = from; i < end; ++i) {
    const auto& r = t.rows[i];
    if (r.runtime == Runtime::Claude) claude.push_back({r.ts_ms, r.tokens, costs_.usd[i], r.model});
  }
  // The activity of the last block is decided per build (it depends on the clock); a far
  // future "now" leaves every block inactive here.
  std::vector<Block> tail = identify_blocks(std::move(claude), std::numeric_limits<std::int64_t>::max() / 2);
  blocks_.insert(blocks_.end(), std::make_move_iterator(tail.begin()), std::make_move_iterator(tail.end()));
  blocks_end_ = end;
  max_block_tokens_ = max_block_tokens(blocks_);
  budget_samples(t, costs_, cfg, tier_names_, store::first_row_at(t, now_ms - 40 * kDayMs), end, samples_);
}

void LiveModel::build(const store::UsageTable& t, const Config& cfg, const timeutil::Zone& zone,
                      std::int64_t now, LiveData& out) const {
  out = LiveData{};
  out.built = true;
  out.now_ms = now;
  if (costs_.usd.size() == t.rows.size()) {
    out.sessions = live_sessions(t, costs_, now, kLiveIdleMs, &session_first_ms_);
    const std::int64_t day0 = zone.start_of_day_ms(zone.day_of(now));
    for (std::size_t i = t.rows.size(); i-- > 0;) {
      const auto& r = t.rows[i];
      if (r.ts_ms > now) continue;
      if (r.ts_ms < day0) break;
      out.today_cost += costs_.usd[i];
      out.today_tokens += r.tokens.total();
    }
  }

  // The current block: the last one, if the clock says it is still running.
  CurrentBlock& cur = out.current;
  const std::int64_t configured = configured_block_limit(cfg);
  cur.limit_configured = configured > 0;
  if (!blocks_.empty() && !blocks_.back().is_gap) {
    Block b = blocks_.back();
    b.is_active =
        b.actual_end_ms && now - *b.actual_end_ms < kDefaultBlockMs && now < b.end_ms && now >= b.start_ms;
    if (b.is_active) {
      b.burn = burn_rate(b);
      b.projection = project_block(b, now);
      cur.active = true;
      cur.block = b;
    }
  }
  // The largest block before the current one: the current block must not set its own limit.
  std::int64_t largest = 0;
  for (std::size_t i = 0; i + (cur.active ? 1 : 0) < blocks_.size(); ++i)
    if (!blocks_[i].is_gap) largest = std::max(largest, blocks_[i].tokens.total());
  cur.limit_tokens = cur.limit_configured ? configured : largest;
  if (cur.active && cur.limit_tokens > 0) {
    const double lim = static_cast<double>(cur.limit_tokens);
    cur.used_fraction = static_cast<double>(cur.block.tokens.total()) / lim;
    const std::int64_t projected =
        cur.block.projection ? cur.block.projection->total_tokens : cur.block.tokens.total();
    cur.projected_fraction = static_cast<double>(projected) / lim;
    cur.status = limit_status(projected, cur.limit_tokens);
  }
  for (std::size_t i = blocks_.size(); i-- > 0 && out.recent_blocks.size() < kRecentBlocks;) {
    const Block& b = blocks_[i];
    if (b.is_gap) continue;
    out.recent_blocks.push_back(
        {b.start_ms, b.tokens.total(), b.cost_usd, cur.active && i + 1 == blocks_.size()});
  }
  std::reverse(out.recent_blocks.begin(), out.recent_blocks.end());

  out.budgets = evaluate_budgets(cfg.budgets, samples_, now, zone_periods(zone));
  out.tiers = tier_names_;
  for (const auto& r : cfg.tier_rules)
    if (std::find(out.tiers.begin(), out.tiers.end(), r.tier) == out.tiers.end()) out.tiers.push_back(r.tier);
  std::sort(out.tiers.begin(), out.tiers.end());
}

bool LiveModel::clock_sensitive(const LiveData& d) {
  if (!d.sessions.empty() || d.current.active) return true;
  for (const auto& b : d.budgets)
    if (b.used > 0 && (b.budget.period == BudgetPeriod::Block || b.budget.period == BudgetPeriod::Session))
      return true;
  return false;
}

}  // namespace costdeck::live
