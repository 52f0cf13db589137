#include "core/live/budgets.hpp"

#include <gtest/gtest.h>

#include <deque>

using namespace costdeck::live;

namespace {
constexpr std::int64_t kMin = 60'000;
constexpr std::int64_t kDay0 = 1'795'392'000'000;  // 2026-11-23T00:00Z
constexpr std::int64_t kDayMs = 24 * kHourMs;

// Days in UTC; enough for these tests (real callers pass time-zone aware bounds).
PeriodBounds utc_period(BudgetPeriod p, std::int64_t now) {
  std::int64_t day = now - (now % kDayMs);
  if (p == BudgetPeriod::Day) return {day, day + kDayMs};
  return {day - 6 * kDayMs, day + kDayMs};
}

// Samples point into tables that outlive them; here, one that lives as long as the tests.
const std::string* kept(std::string_view v) {
  static std::deque<std::string> pool;
  return &pool.emplace_back(v);
}

BudgetSample sample(std::int64_t ts, double cost, std::int64_t tokens, std::string_view tier = "main",
                    std::string_view session = "s1", std::string_view project = "/w/app") {
  BudgetSample s;
  s.ts_ms = ts;
  s.cost_usd = cost;
  s.tokens = tokens;
  s.tier = kept(tier);
  s.session = kept(session);
  s.project = kept(project);
  return s;
}
}  // namespace

// Rule: a day budget counts only today's rows in scope, and projects linearly to day end.
TEST(Budgets, DayBudgetCountsTodayAndProjectsLinearly) {
  Budget b;
  b.limit = 10;
  std::int64_t now = kDay0 + 12 * kHourMs;
  std::vector<BudgetSample> rows{sample(kDay0 - kMin, 100, 1), sample(kDay0 + kHourMs, 3, 1),
                                 sample(kDay0 + 2 * kHourMs, 2, 1)};
  auto st = evaluate_budgets({b}, rows, now, utc_period);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_DOUBLE_EQ(st[0].used, 5);
  EXPECT_DOUBLE_EQ(st[0].projected, 10);  // half the day gone
  EXPECT_DOUBLE_EQ(st[0].fraction, 0.5);
  EXPECT_EQ(st[0].status, LimitStatus::Ok);
  EXPECT_EQ(st[0].level, 0);
}

// Rule: tier and project scopes filter rows; token budgets sum tokens, not dollars.
TEST(Budgets, TierScopeAndTokenUnit) {
  Budget b;
  b.unit = BudgetUnit::Tokens;
  b.tier = "premium";
  b.limit = 1000;
  std::int64_t now = kDay0 + kHourMs;
  auto st = evaluate_budgets({b}, {sample(kDay0, 1, 900, "premium"), sample(kDay0, 1, 500, "cheap")}, now,
                             utc_period);
  EXPECT_DOUBLE_EQ(st[0].used, 900);
  EXPECT_EQ(st[0].status, LimitStatus::Warning);
  EXPECT_EQ(st[0].level, 1);  // 80% reached
}

// Rule: a session budget measures the session with the newest activity.
TEST(Budgets, SessionBudgetMeasuresTheLiveSession) {
  Budget b;
  b.period = BudgetPeriod::Session;
  b.limit = 2;
  auto st = evaluate_budgets(
      {b},
      {sample(kDay0, 5, 1, "main", "old"), sample(kDay0 + 2 * kHourMs, 1.5, 1, "main", "new"),
       sample(kDay0 + 3 * kHourMs, 1.0, 1, "main", "new")},
      kDay0 + 3 * kHourMs, utc_period);
  EXPECT_EQ(st[0].session, "new");
  EXPECT_DOUBLE_EQ(st[0].used, 2.5);
  EXPECT_EQ(st[0].status, LimitStatus::Exceeded);
  EXPECT_EQ(st[0].level, 2);
}

// Rule: a block budget measures the active 5-hour block only.
TEST(Budgets, BlockBudgetUsesTheActiveBlock) {
  Budget b;
  b.period = BudgetPeriod::Block;
  b.limit = 100;
  std::int64_t now = kDay0 + 10 * kHourMs + 30 * kMin;
  auto st = evaluate_budgets({b}, {sample(kDay0 + kHourMs, 50, 1), sample(kDay0 + 10 * kHourMs, 7, 1)}, now,
                             utc_period);
  EXPECT_DOUBLE_EQ(st[0].used, 7);
  EXPECT_EQ(st[0].period.start_ms, kDay0 + 10 * kHourMs);
}

// Rule: crossings fire once per crossing, not on every evaluation, and again in a new period.
TEST(Budgets, CrossingsFireOncePerThreshold) {
  Budget b;
  b.limit = 10;
  CrossingTracker tr;
  std::int64_t now = kDay0 + kHourMs;
  auto eval = [&](std::vector<BudgetSample> rows, std::int64_t t) {
    return tr.update(evaluate_budgets({b}, rows, t, utc_period));
  };
  EXPECT_TRUE(eval({sample(kDay0, 5, 1)}, now).empty());
  auto c1 = eval({sample(kDay0, 8.5, 1)}, now);
  ASSERT_EQ(c1.size(), 1u);
  EXPECT_DOUBLE_EQ(c1[0].threshold, 0.8);
  EXPECT_TRUE(eval({sample(kDay0, 8.6, 1)}, now).empty());  // same level: silent
  EXPECT_TRUE(eval({sample(kDay0, 8.7, 1)}, now).empty());
  auto c2 = eval({sample(kDay0, 12, 1)}, now);
  ASSERT_EQ(c2.size(), 1u);
  EXPECT_DOUBLE_EQ(c2[0].threshold, 1.0);
  // Next day: the level resets, the same spend crosses again.
  auto c3 = eval({sample(kDay0 + kDayMs, 9, 1)}, now + kDayMs);
  ASSERT_EQ(c3.size(), 1u);
  EXPECT_DOUBLE_EQ(c3[0].threshold, 0.8);
}

TEST(Budgets, NamesRoundTrip) {
  EXPECT_EQ(budget_period_from_name("block"), BudgetPeriod::Block);
  EXPECT_EQ(budget_unit_from_name("tokens"), BudgetUnit::Tokens);
  EXPECT_FALSE(budget_period_from_name("year").has_value());
  Budget b;
  b.tier = "opus";
  b.period = BudgetPeriod::Week;
  EXPECT_EQ(budget_display_name(b), "tier opus / week");
}
