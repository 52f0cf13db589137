// A report continued across appends (IncrementalReport, what the window's worker keeps) is
// the report a fresh pass builds over the same rows: every sum bit-identical, for every
// period and filter, when rows are appended, when the newest rows are rewritten (a response's
// later copy replacing its first), and when a change lands below the savepoint.
#include "core/report/report_builder.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace costdeck;
using report::Report;

namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kDay0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

store::UsageTable base_table() {
  store::UsageTable t;
  // "" (Codex without a turn_context: gpt-5 fallback), an unknown model, the synthetic
  // placeholder, and real ones.
  t.models = {"claude-sonnet-4-5-20250929",
              "claude-opus-4-5-20251101",
              "",
              "mystery-model-1",
              "<synthetic>",
              "gpt-5-codex"};
  t.sessions = {"s-a", "s-b", "s-c", "s-d"};
  t.projects = {"/w/app", "/w/lib", ""};
  t.files = {"/c/projects/-w-app/s-a.jsonl", "/c/projects/-w-app/s-b.jsonl", "/c/projects/-w-lib/s-c.jsonl",
             "/x/sessions/2026/01/01/rollout-1.jsonl", "/c/projects/-w-lib/s-a/subagents/agent-1.jsonl"};
  return t;
}

store::UsageRow random_row(std::mt19937& rng, std::int64_t ts) {
  store::UsageRow r;
  r.ts_ms = ts;
  r.file = static_cast<std::int32_t>(rng() % 5);
  r.runtime = r.file == 3 ? Runtime::Codex : Runtime::Claude;
  r.model = r.runtime == Runtime::Codex
                ? (rng() % 2 ? 2 : 5)
                : static_cast<std::int32_t>(rng() % 5 == 0 ? 2 + rng() % 3 : rng() % 2);
  r.session = rng() % 6 == 0 ? -1 : static_cast<std::int32_t>(rng() % 4);
  r.project = static_cast<std::int32_t>(rng() % 3);
  r.fast = rng() % 9 == 0;
  r.tokens.input = static_cast<std::uint32_t>(rng() % 5000);
  r.tokens.output = static_cast<std::uint32_t>(rng() % 3000);
  r.tokens.cache_write_5m = static_cast<std::uint32_t>(rng() % 20000);
  r.tokens.cache_write_1h = static_cast<std::uint32_t>(rng() % 3 == 0 ? rng() % 9000 : 0);
  r.tokens.cache_read = static_cast<std::uint32_t>(rng() % 250000);  // some past the 200k tier
  r.web_search_requests = static_cast<std::int32_t>(rng() % 4 == 0);
  if (rng() % 13 == 0) r.set_cost_usd(static_cast<double>(rng() % 1000) / 997.0);
  return r;
}

void expect_same_totals(const report::Totals& a, const report::Totals& b, const std::string& where) {
  EXPECT_EQ(a.tokens.input, b.tokens.input) << where;
  EXPECT_EQ(a.tokens.output, b.tokens.output) << where;
  EXPECT_EQ(a.tokens.cache_write_5m, b.tokens.cache_write_5m) << where;
  EXPECT_EQ(a.tokens.cache_write_1h, b.tokens.cache_write_1h) << where;
  EXPECT_EQ(a.tokens.cache_read, b.tokens.cache_read) << where;
  EXPECT_EQ(a.reasoning_tokens, b.reasoning_tokens) << where;
  EXPECT_EQ(a.web_search_requests, b.web_search_requests) << where;
  EXPECT_EQ(a.responses, b.responses) << where;
  EXPECT_EQ(a.cost, b.cost) << where;  // bit-identical, not near
}

void expect_same(const Report& a, const Report& b, const std::string& where) {
  expect_same_totals(a.totals, b.totals, where + " totals");
  EXPECT_EQ(a.responses_with_cost_usd, b.responses_with_cost_usd) << where;
  ASSERT_EQ(a.rows.size(), b.rows.size()) << where;
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    const report::Row &x = a.rows[i], &y = b.rows[i];
    const std::string w = where + " row " + x.key;
    EXPECT_EQ(x.key, y.key) << w;
    expect_same_totals(x.totals, y.totals, w);
    EXPECT_EQ(x.models_used, y.models_used) << w;
    ASSERT_EQ(x.models.size(), y.models.size()) << w;
    for (std::size_t m = 0; m < x.models.size(); ++m) {
      EXPECT_EQ(x.models[m].model, y.models[m].model) << w;
      EXPECT_EQ(x.models[m].priced, y.models[m].priced) << w;
      EXPECT_EQ(x.models[m].fallback, y.models[m].fallback) << w;
      expect_same_totals(x.models[m].totals, y.models[m].totals, w + " " + x.models[m].model);
    }
    EXPECT_EQ(x.project_path, y.project_path) << w;
    EXPECT_EQ(x.project, y.project) << w;
    EXPECT_EQ(x.first_ms, y.first_ms) << w;
    EXPECT_EQ(x.last_ms, y.last_ms) << w;
    EXPECT_EQ(x.has_claude, y.has_claude) << w;
    EXPECT_EQ(x.has_codex, y.has_codex) << w;
    EXPECT_EQ(x.timeline, y.timeline) << w;
    EXPECT_EQ(x.sessions, y.sessions) << w;
  }
  ASSERT_EQ(a.unknown_models.size(), b.unknown_models.size()) << where;
  for (std::size_t i = 0; i < a.unknown_models.size(); ++i) {
    EXPECT_EQ(a.unknown_models[i].model, b.unknown_models[i].model) << where;
    expect_same_totals(a.unknown_models[i].totals, b.unknown_models[i].totals, where + " unknown");
  }
}

struct Case {
  const char* name;
  report::ReportOptions opts;
  report::BuilderExtras extras;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  auto add = [&](const char* name, report::Period p, auto tweak) {
    Case c{name, {}, {}};
    c.opts.period = p;
    tweak(c);
    out.push_back(c);
  };
  add("daily", report::Period::Day, [](Case& c) { c.extras.sessions_per_day = true; });
  add("weekly in Berlin", report::Period::Week,
      [](Case& c) { c.opts.zone = timeutil::Zone::named("Europe/Berlin"); });
  add("monthly", report::Period::Month, [](Case&) {});
  add("sessions", report::Period::Session, [](Case& c) { c.extras.hourly_timeline = true; });
  add("sessions by path", report::Period::Session,
      [](Case& c) { c.opts.sessions = report::SessionGrouping::FilePath; });
  add("models", report::Period::Model, [](Case&) {});
  add("daily, project and model filter", report::Period::Day, [](Case& c) {
    c.opts.project = "lib";
    c.opts.model = "sonnet";
    c.extras.sessions_per_day = true;
  });
  add("sessions since day 2, claude only", report::Period::Session, [](Case& c) {
    c.opts.since = timeutil::Day{0} + static_cast<int>(kDay0 / 86'400'000) + 2;
    c.opts.runtime = Runtime::Claude;
    c.extras.hourly_timeline = true;
  });
  return out;
}

}  // namespace

TEST(ReportBuilder, ContinuedAcrossAppendsEqualsAFreshPass) {
  const PriceTable prices = PriceTable::builtin();
  for (const Case& c : cases()) {
    std::mt19937 rng(7);
    store::UsageTable t = base_table();
    report::IncrementalReport inc;
    std::int64_t ts = kDay0;
    int continued = 0;
    for (int step = 0; step < 60; ++step) {
      const std::size_t before = t.rows.size();
      for (int k = static_cast<int>(rng() % 40); k >= 0; --k) {
        ts += static_cast<std::int64_t>(rng() % 90) * kMinute;
        t.rows.push_back(random_row(rng, ts));
      }
      inc.rows_changed_from(before);
      // Settled: everything but the last few rows (what the next append may rewrite).
      const std::size_t settled = t.rows.size() - std::min<std::size_t>(t.rows.size(), rng() % 6);
      const Report kept = inc.update(t, prices, c.opts, c.extras, settled);
      continued += inc.continued();
      expect_same(kept, report::build_report(t, prices, c.opts, c.extras),
                  std::string(c.name) + " step " + std::to_string(step));
    }
    EXPECT_EQ(continued, 59) << c.name;  // only the first update starts from nothing
  }
}

TEST(ReportBuilder, RewrittenNewestRowsRollBackToTheSavepoint) {
  const PriceTable prices = PriceTable::builtin();
  for (const Case& c : cases()) {
    std::mt19937 rng(11);
    store::UsageTable t = base_table();
    std::int64_t ts = kDay0;
    for (int i = 0; i < 300; ++i) t.rows.push_back(random_row(rng, ts += 7 * kMinute));
    report::IncrementalReport inc;
    inc.update(t, prices, c.opts, c.extras, t.rows.size() - 10);
    for (int step = 0; step < 30; ++step) {
      // A later copy of the newest response replaces it (more output, a later time), in a
      // new session or day sometimes; then another response may follow.
      const std::size_t n = t.rows.size();
      store::UsageRow r = random_row(rng, t.rows.back().ts_ms + (step % 7 == 0 ? 26 * 60 : 1) * kMinute);
      t.rows.back() = r;
      if (step % 2) t.rows.push_back(random_row(rng, r.ts_ms + kMinute));
      inc.rows_changed_from(n - 1);
      const std::size_t settled = t.rows.size() >= 4 ? t.rows.size() - 4 : 0;
      const Report kept = inc.update(t, prices, c.opts, c.extras, settled);
      EXPECT_TRUE(inc.continued()) << c.name << " step " << step;
      expect_same(kept, report::build_report(t, prices, c.opts, c.extras),
                  std::string(c.name) + " rewrite " + std::to_string(step));
    }
  }
}

TEST(ReportBuilder, AChangeBelowTheSavepointStartsOver) {
  const PriceTable prices = PriceTable::builtin();
  std::mt19937 rng(3);
  store::UsageTable t = base_table();
  std::int64_t ts = kDay0;
  for (int i = 0; i < 200; ++i) t.rows.push_back(random_row(rng, ts += 11 * kMinute));
  report::ReportOptions o;
  o.period = report::Period::Session;
  report::IncrementalReport inc;
  inc.update(t, prices, o, {}, t.rows.size() - 5);
  // An older row changes (a resumed session's copy re-decided): row 50 of 200.
  t.rows[50].tokens.output += 12345;
  inc.rows_changed_from(50);
  expect_same(inc.update(t, prices, o, {}, t.rows.size() - 5), report::build_report(t, prices, o),
              "older row");
  EXPECT_FALSE(inc.continued());
  // Other options start over too.
  o.model = "opus";
  expect_same(inc.update(t, prices, o, {}, t.rows.size()), report::build_report(t, prices, o), "new options");
  EXPECT_FALSE(inc.continued());
  // Nothing changed: continued, same report.
  expect_same(inc.update(t, prices, o, {}, t.rows.size()), report::build_report(t, prices, o), "unchanged");
  EXPECT_TRUE(inc.continued());
}
