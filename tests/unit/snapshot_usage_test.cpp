// The usage half of a snapshot on a hand-made table: sessions active per day count each
// session once per day however its rows interleave with others', and a session's cost
// timeline sums its responses per hour, oldest hour first (and adds up to the session's
// cost: a row without a sessionId joins the session its file names, timeline included).
#include <gtest/gtest.h>

#include "core/config.hpp"
#include "core/pricing.hpp"
#include "core/snapshot.hpp"

using namespace costdeck;

namespace {

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

store::UsageRow row(std::int64_t ts, std::int32_t session, std::uint32_t input) {
  store::UsageRow r;
  r.ts_ms = ts;
  r.model = 0;
  r.session = session;
  r.project = 0;
  r.file = session < 0 ? 0 : session;
  r.tokens.input = input;
  r.tokens.output = input / 10;
  return r;
}

}  // namespace

TEST(SnapshotUsage, SessionsPerDayAndHourlyTimelines) {
  store::UsageTable t;
  t.models = {"claude-sonnet-4-5-20250929"};
  t.sessions = {"a", "b"};
  t.projects = {"/w/app"};
  t.files = {"/c/projects/-w-app/a.jsonl", "/c/projects/-w-app/b.jsonl"};
  // Day 1: a, b, a, a (two in one hour), b; day 2: b only; day 3: a, then a row with no session.
  t.rows = {row(kDay0 + 1 * kHour, 0, 1000),
            row(kDay0 + 1 * kHour + 60'000, 1, 2000),
            row(kDay0 + 2 * kHour, 0, 3000),
            row(kDay0 + 2 * kHour + 120'000, 0, 4000),
            row(kDay0 + 5 * kHour, 1, 5000),
            row(kDay0 + 24 * kHour + 10, 1, 6000),
            row(kDay0 + 48 * kHour + 5 * kHour, 0, 7000),
            row(kDay0 + 48 * kHour + 6 * kHour, -1, 8000)};
  const PriceTable prices = PriceTable::builtin();
  const Config cfg = default_config();
  SnapshotInputs in;
  in.usage = &t;
  in.prices = &prices;
  in.config = &cfg;
  ViewFilter f;
  f.range = RangeKind::All;
  f.timezone = "UTC";
  Snapshot s;
  build_snapshot(in, f, kDay0 + 3 * 24 * kHour, s);

  ASSERT_EQ(s.daily.days, (std::vector<std::string>{"2026-01-01", "2026-01-02", "2026-01-03"}));
  // The sessionless row counts as one more session on its day, as every row's session does.
  EXPECT_EQ(s.daily.sessions, (std::vector<double>{2, 1, 2}));

  ASSERT_EQ(s.sessions.size(), 2u);
  auto cost_of = [&](std::uint32_t input) {
    return response_cost(prices.find("claude-sonnet-4-5-20250929"), TokenCounts{input, input / 10, 0, 0, 0},
                         std::nullopt, false, CostRules{})
        .usd;
  };
  for (const SessionEntry& e : s.sessions) {
    double sum = 0;
    for (const auto& [hour, usd] : e.timeline) sum += usd;
    EXPECT_DOUBLE_EQ(sum, e.row.totals.cost) << e.row.key;
    if (e.row.key == "a") {
      ASSERT_EQ(e.timeline.size(), 4u);
      EXPECT_EQ(e.timeline[0].first, kDay0 + 1 * kHour);
      EXPECT_DOUBLE_EQ(e.timeline[0].second, cost_of(1000));
      EXPECT_EQ(e.timeline[1].first, kDay0 + 2 * kHour);
      EXPECT_DOUBLE_EQ(e.timeline[1].second, cost_of(3000) + cost_of(4000));
      EXPECT_EQ(e.timeline[2].first, kDay0 + 53 * kHour);
      EXPECT_EQ(e.timeline[3].first, kDay0 + 54 * kHour);
      EXPECT_DOUBLE_EQ(e.timeline[3].second, cost_of(8000));
    } else {
      ASSERT_EQ(e.row.key, "b");
      ASSERT_EQ(e.timeline.size(), 3u);
      EXPECT_EQ(e.timeline[0].first, kDay0 + 1 * kHour);
      EXPECT_EQ(e.timeline[1].first, kDay0 + 5 * kHour);
      EXPECT_EQ(e.timeline[2].first, kDay0 + 24 * kHour);
      EXPECT_DOUBLE_EQ(e.timeline[2].second, cost_of(6000));
    }
  }
}
