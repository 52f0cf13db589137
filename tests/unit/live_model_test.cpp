// The worker's live model after an append (kept rows priced once, blocks identified again
// only from the last block) must equal a model computed from scratch on the same table.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/config.hpp"
#include "core/live/live_snapshot.hpp"
#include "core/live/live_usage.hpp"
#include "core/timeutil.hpp"

using namespace costdeck;

namespace {

constexpr std::int64_t kHour = 3'600'000;
const std::int64_t kT0 = *timeutil::parse_day("2026-01-01") * 86'400'000LL;

store::UsageRow row(std::int64_t ts, std::int32_t model, std::int64_t in, std::int64_t out) {
  store::UsageRow r;
  r.ts_ms = ts;
  r.model = model;
  r.session = 0;
  r.project = 0;
  r.file = 0;
  r.tokens.input = in;
  r.tokens.output = out;
  return r;
}

store::UsageTable base_table() {
  store::UsageTable t;
  t.models = {"claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101"};
  t.sessions = {"s1"};
  t.projects = {"/w/app"};
  t.files = {"/c/projects/-w-app/s1.jsonl"};
  // Two blocks with a gap between them; the second is the last (and still open) one.
  t.rows.push_back(row(kT0 + 10 * 60'000, 0, 1000, 100));
  t.rows.push_back(row(kT0 + 2 * kHour, 1, 2000, 300));
  t.rows.push_back(row(kT0 + 9 * kHour, 0, 500, 50));
  t.rows.push_back(row(kT0 + 10 * kHour, 1, 700, 70));
  return t;
}

void expect_same(const live::LiveData& a, const live::LiveData& b) {
  ASSERT_EQ(a.recent_blocks.size(), b.recent_blocks.size());
  for (std::size_t i = 0; i < a.recent_blocks.size(); ++i) {
    EXPECT_EQ(a.recent_blocks[i].start_ms, b.recent_blocks[i].start_ms) << i;
    EXPECT_EQ(a.recent_blocks[i].tokens, b.recent_blocks[i].tokens) << i;
    EXPECT_DOUBLE_EQ(a.recent_blocks[i].cost_usd, b.recent_blocks[i].cost_usd) << i;
    EXPECT_EQ(a.recent_blocks[i].active, b.recent_blocks[i].active) << i;
  }
  EXPECT_EQ(a.current.active, b.current.active);
  EXPECT_EQ(a.current.block.tokens.total(), b.current.block.tokens.total());
  EXPECT_EQ(a.current.limit_tokens, b.current.limit_tokens);
  EXPECT_DOUBLE_EQ(a.today_cost, b.today_cost);
  EXPECT_EQ(a.today_tokens, b.today_tokens);
  ASSERT_EQ(a.sessions.size(), b.sessions.size());
}

}  // namespace

TEST(LiveModel, AppendedRowsGiveWhatAFullUpdateGives) {
  const PriceTable prices = PriceTable::builtin();
  const Config cfg = default_config();
  const timeutil::Zone utc = timeutil::Zone::utc();
  store::UsageTable t = base_table();
  std::int64_t now = kT0 + 10 * kHour + 60'000;

  live::LiveModel inc;
  inc.update(t, prices, cfg, 1, now, 0);
  const std::size_t kept = t.rows.size();
  // One row inside the open block, then one more than five hours later: a gap and a new block.
  t.rows.push_back(row(kT0 + 11 * kHour, 0, 4000, 400));
  t.rows.push_back(row(kT0 + 17 * kHour, 1, 9000, 900));
  now = kT0 + 17 * kHour + 60'000;
  inc.update(t, prices, cfg, 2, now, kept);

  live::LiveModel full;
  full.update(t, prices, cfg, 1, now, 0);
  ASSERT_EQ(inc.costs().usd.size(), t.rows.size());
  for (std::size_t i = 0; i < t.rows.size(); ++i)
    EXPECT_DOUBLE_EQ(inc.costs().usd[i], full.costs().usd[i]) << i;

  live::LiveData a, b;
  inc.build(t, cfg, utc, now, a);
  full.build(t, cfg, utc, now, b);
  expect_same(a, b);
  // The blocks: 00:00 (10 min + 2 h), 09:00 (9 h, 10 h, 11 h) and 17:00, the last one active.
  ASSERT_EQ(a.recent_blocks.size(), 3u);
  EXPECT_EQ(a.recent_blocks[1].tokens, 500 + 50 + 700 + 70 + 4000 + 400);
  EXPECT_TRUE(a.recent_blocks[2].active);
  EXPECT_EQ(a.current.block.tokens.total(), 9900);
}

TEST(LiveModel, KeptRowsBeforeTheLastBlockThatChangedRecomputeEverything) {
  const PriceTable prices = PriceTable::builtin();
  const Config cfg = default_config();
  store::UsageTable t = base_table();
  const std::int64_t now = kT0 + 10 * kHour + 60'000;
  live::LiveModel inc;
  inc.update(t, prices, cfg, 1, now, 0);
  // The first row changed (a rebuilt table): only one row is kept, which lies before the
  // last block's first row, so nothing of the old blocks may be reused.
  t.rows[1].tokens.input = 50'000;
  inc.update(t, prices, cfg, 2, now, 1);
  live::LiveModel full;
  full.update(t, prices, cfg, 1, now, 0);
  live::LiveData a, b;
  inc.build(t, cfg, timeutil::Zone::utc(), now, a);
  full.build(t, cfg, timeutil::Zone::utc(), now, b);
  expect_same(a, b);
  ASSERT_EQ(a.recent_blocks.size(), 2u);
  EXPECT_EQ(a.recent_blocks[0].tokens, 1000 + 100 + 50'000 + 300);
}

// A live session that began long before the others: the live list starts its walk at the
// earliest live session's first response (kept across appends, a new session added), and
// must still count every response of each live session from its first.
TEST(LiveModel, LiveSessionsAfterAppendsCountFromTheirFirstResponse) {
  const PriceTable prices = PriceTable::builtin();
  const Config cfg = default_config();
  const timeutil::Zone utc = timeutil::Zone::utc();
  store::UsageTable t = base_table();
  t.sessions = {"s1", "s2"};
  std::int64_t now = kT0 + 10 * kHour + 60'000;
  live::LiveModel inc;
  inc.update(t, prices, cfg, 1, now, 0);
  const std::size_t kept = t.rows.size();
  auto s2 = row(kT0 + 17 * kHour, 1, 9000, 900);
  s2.session = 1;
  t.rows.push_back(row(kT0 + 17 * kHour + 60'000, 0, 4000, 400));  // s1, still going
  t.rows.push_back(s2);
  std::sort(t.rows.begin(), t.rows.end(),
            [](const store::UsageRow& a, const store::UsageRow& b) { return a.ts_ms < b.ts_ms; });
  now = kT0 + 17 * kHour + 2 * 60'000;
  inc.update(t, prices, cfg, 2, now, kept);
  live::LiveModel full;
  full.update(t, prices, cfg, 1, now, 0);
  live::LiveData a, b;
  inc.build(t, cfg, utc, now, a);
  full.build(t, cfg, utc, now, b);
  const auto plain = live::live_sessions(t, full.costs(), now);
  ASSERT_EQ(a.sessions.size(), 2u);
  ASSERT_EQ(b.sessions.size(), 2u);
  ASSERT_EQ(plain.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(a.sessions[i].session_id, plain[i].session_id);
    EXPECT_EQ(a.sessions[i].first_ms, plain[i].first_ms);
    EXPECT_EQ(a.sessions[i].responses, plain[i].responses);
    EXPECT_DOUBLE_EQ(a.sessions[i].cost_usd, plain[i].cost_usd);
    EXPECT_EQ(b.sessions[i].responses, plain[i].responses);
  }
  // s1: the four base rows and the new one, from 00:10.
  const auto& s1 = a.sessions[0].session_id == "s1" ? a.sessions[0] : a.sessions[1];
  EXPECT_EQ(s1.responses, 5);
  EXPECT_EQ(s1.first_ms, kT0 + 10 * 60'000);
}
