// Run analytics on hand-made runs: error normalisation, success rate and percentiles,
// tiers, runtimes, issues with badges and links, top and slowest, computed vs recorded cost.

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "core/config.hpp"
#include "core/runs/analytics.hpp"
#include "core/runs/run_json.hpp"
#include "core/runs/run_store.hpp"

using namespace costdeck;
using RunT = runs::Run;
using runs::RunStatus;

namespace {

constexpr std::int64_t kDay = 86400000;
constexpr std::int64_t kT0 = 1740823200000;  // 2025-03-01T10:00:00Z

RunT mk(const std::string& key, std::int64_t start, std::int64_t dur, RunStatus st, double cost,
        const std::string& runtime = "claude-code", const std::string& op = "task") {
  RunT r;
  r.key = key;
  r.started_ms = start;
  r.duration_ms = dur;
  r.status = st;
  r.cost_usd = cost;
  r.runtime = runtime;
  r.operation = op;
  r.title = key;
  return r;
}

struct Db {
  SQLite::Database db{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  Db() { runs::ensure_runs_schema(db); }
  runs::RunTable load(const runs::RunFilter& f = {}) { return runs::load_runs(db, default_config(), f); }
};

}  // namespace

// Numbers, ids, paths, quoted values and URLs fold; the words stay.
TEST(AnalyticsErrors, Normalisation) {
  EXPECT_EQ(runs::normalize_error("timeout after 30s in /a/b.ts"), "timeout after <n> in <path>");
  EXPECT_EQ(runs::normalize_error("timeout after 12s in /c.ts"), "timeout after <n> in <path>");
  EXPECT_EQ(runs::normalize_error("File \"x.py\" not found"), "File <str> not found");
  EXPECT_EQ(runs::normalize_error("request 3f2a9c1e-77b0-4c1d-9e2f-0a1b2c3d4e5f failed"),
            "request <id> failed");
  EXPECT_EQ(runs::normalize_error("req_011CTxAbc1234 overloaded"), "<id> overloaded");
  EXPECT_EQ(runs::normalize_error("see https://x.io/a?b=1 now"), "see <url> now");
  EXPECT_EQ(runs::normalize_error("don't   retry\n1,234.5 times."), "don't retry <n> times.");
  EXPECT_EQ(runs::normalize_error("API Error: 529 {\"type\":\"error\"}"), "API Error: <n> {<str>:<str>}");
}

// Same pattern groups; counts, first/last seen, newest example; recorded failures included.
TEST(AnalyticsErrors, GroupsPatterns) {
  Db d;
  auto a = mk("a", kT0, 10, RunStatus::Error, 0);
  a.error = "timeout after 30s in /a/b.ts";
  auto b = mk("b", kT0 + 1000, 10, RunStatus::Error, 0);
  b.error = "timeout after 12s in /c.ts";
  auto c = mk("c", kT0 + 2000, 10, RunStatus::Error, 0);
  c.error = "permission denied";
  runs::upsert_runs(d.db, {a, b, c});
  runs::ErrorEvent e;
  e.key = "e1";
  e.ts_ms = kT0 + 500;
  e.kind = runs::ErrorKind::ToolError;
  e.tool = "Bash";
  e.message = "Exit code 1";
  runs::upsert_error_events(d.db, {e, e});  // the same occurrence twice is stored once
  auto r = runs::errors_report(d.load());
  ASSERT_EQ(r.patterns.size(), 3u);
  EXPECT_EQ(r.patterns[0].pattern, "timeout after <n> in <path>");
  EXPECT_EQ(r.patterns[0].count, 2);
  EXPECT_EQ(r.patterns[0].first_ms, kT0);
  EXPECT_EQ(r.patterns[0].last_ms, kT0 + 1000);
  EXPECT_EQ(r.patterns[0].example, "timeout after 12s in /c.ts");
  EXPECT_EQ(r.tool_errors, 1);
  ASSERT_EQ(r.tool_by_tool.size(), 1u);
  EXPECT_EQ(r.tool_by_tool[0].key, "Bash");
  EXPECT_EQ(r.run_errors, 3);
  EXPECT_EQ(r.total, 4);
}

// Success rate over finished runs; nearest-rank median and p95; daily series; errors today.
TEST(AnalyticsPerformance, RatesAndPercentiles) {
  Db d;
  std::vector<RunT> v;
  for (int i = 0; i < 20; ++i)
    v.push_back(mk("s" + std::to_string(i), kT0 + i, (i + 1) * 100, RunStatus::Success, 0));
  v.push_back(mk("e", kT0 + kDay, 5000, RunStatus::Error, 0));
  v.push_back(mk("x", kT0 + kDay, 5000, RunStatus::Aborted, 0));
  v.push_back(mk("r", kT0 + kDay, 0, RunStatus::Running, 0));
  runs::upsert_runs(d.db, v);
  auto p = runs::performance_report(d.load(), timeutil::Zone::utc(), kT0 + kDay + 3600000);
  EXPECT_EQ(p.tasks, 23);
  EXPECT_EQ(p.unfinished, 1);
  EXPECT_NEAR(p.success_rate, 20.0 / 22.0, 1e-12);
  EXPECT_EQ(p.duration.count, 22);
  EXPECT_EQ(p.errors_today, 1);
  ASSERT_EQ(p.daily.size(), 2u);
  EXPECT_EQ(p.daily[0].day, "2025-03-01");
  EXPECT_DOUBLE_EQ(p.daily[0].success_rate, 1.0);
  EXPECT_DOUBLE_EQ(p.daily[1].success_rate, 0.0);
  auto s = runs::duration_stats({100, 200, 300, 400, 500, 600, 700, 800, 900, 1000});
  EXPECT_DOUBLE_EQ(s.median_ms, 500);
  EXPECT_DOUBLE_EQ(s.p95_ms, 1000);
  EXPECT_DOUBLE_EQ(s.avg_ms, 550);
}

// Computed vs recorded cost: a given cost is kept as recorded; none -> priced from tokens and
// marked computed; an unknown model stays unpriced (not $0 in silence).
TEST(AnalyticsCost, ComputedVsRecorded) {
  RunT given;
  given.model = "claude-sonnet-4-5";
  given.tokens.input = 100000;
  given.cost_usd = 1.25;
  runs::finish_run(given, kT0, false);
  EXPECT_DOUBLE_EQ(*given.cost_usd, 1.25);
  EXPECT_FALSE(given.cost_computed);
  RunT computed = given;
  computed.cost_usd.reset();
  computed.cost_computed = false;
  runs::finish_run(computed, kT0, false);
  ASSERT_TRUE(computed.cost_usd);
  EXPECT_NEAR(*computed.cost_usd, 0.3, 1e-9);  // 100k input at $3/M (below the long-context tier)
  EXPECT_TRUE(computed.cost_computed);
  RunT unknown;
  unknown.model = "mystery-model-1";
  unknown.tokens.input = 5;
  runs::finish_run(unknown, kT0, false);
  EXPECT_FALSE(unknown.cost_usd.has_value());
}

// Tiers: recorded tier kept, else rules; share of cost; models by cost.
TEST(AnalyticsTiers, RecordedThenRules) {
  Db d;
  auto a = mk("a", kT0, 10, RunStatus::Success, 3);
  a.model = "claude-opus-4-5";
  auto b = mk("b", kT0, 10, RunStatus::Success, 1);
  b.model = "claude-haiku-4-5";
  auto c = mk("c", kT0, 10, RunStatus::Success, 4);
  c.model = "claude-haiku-4-5";
  c.tier = "lead";  // recorded wins over the haiku rule
  runs::upsert_runs(d.db, {a, b, c});
  auto r = runs::tiers_report(d.load(), {}, timeutil::Zone::utc(), kT0);
  ASSERT_EQ(r.tiers.size(), 3u);
  EXPECT_EQ(r.tiers[0].tier, "lead");
  EXPECT_DOUBLE_EQ(r.tiers[0].share, 0.5);
  EXPECT_EQ(r.tiers[1].tier, "opus");
  EXPECT_EQ(r.tiers[2].tier, "haiku");
  EXPECT_DOUBLE_EQ(r.cost, 8);
  // The tier filter applies to attributed tiers.
  runs::RunFilter f;
  f.tier = "haiku";
  EXPECT_EQ(d.load(f).rows.size(), 1u);
}

// Issues: recorded > linked session > branch; badge by thresholds; per session and model.
TEST(AnalyticsIssues, AttributionAndBadges) {
  Db d;
  auto a = mk("a", kT0, 10, RunStatus::Success, 4);
  a.issue = "MIN-1";
  a.session_id = "s1";
  a.model = "m1";
  auto b = mk("b", kT0 + 1, 10, RunStatus::Success, 3);
  b.session_id = "s2";  // linked below
  b.model = "m2";
  auto c = mk("c", kT0 + 2, 10, RunStatus::Success, 60);
  c.git_branch = "feature/MIN-2-x";
  runs::upsert_runs(d.db, {a, b, c});
  runs::upsert_links(d.db, {{"s2", "MIN-1", "review", "", -1, -1}});
  auto r = runs::issues_report(d.load(), default_config().badges);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].issue, "MIN-2");
  EXPECT_EQ(r[0].badge, "red");
  EXPECT_EQ(r[1].issue, "MIN-1");
  EXPECT_DOUBLE_EQ(r[1].cost, 7);
  EXPECT_EQ(r[1].badge, "yellow");
  ASSERT_EQ(r[1].sessions.size(), 2u);
  EXPECT_EQ(r[1].str(r[1].sessions[1].phase), "review");
  ASSERT_EQ(r[1].models.size(), 2u);
  EXPECT_EQ(r[1].models[0].model, "m1");
  EXPECT_NEAR(r[1].models[0].share, 4.0 / 7.0, 1e-12);
}

// Runtimes with per-operation breakdown; operations; top; slowest; activity.
TEST(AnalyticsLists, RuntimesOperationsTopSlowest) {
  Db d;
  runs::upsert_runs(d.db, {mk("a", kT0, 100, RunStatus::Success, 1, "claude", "iteration"),
                           mk("b", kT0 + 1, 900, RunStatus::Error, 2, "claude-code", "verification"),
                           mk("c", kT0 + 2, 500, RunStatus::Success, 5, "codex", "iteration")});
  auto t = d.load();
  auto rt = runs::runtimes_report(t, timeutil::Zone::utc());
  ASSERT_EQ(rt.size(), 2u);
  EXPECT_EQ(rt[0].runtime, "claude-code");  // "claude" is the same runtime
  EXPECT_EQ(rt[0].tasks, 2);
  EXPECT_DOUBLE_EQ(rt[0].success_rate, 0.5);
  EXPECT_DOUBLE_EQ(rt[0].cost_per_task, 1.5);
  EXPECT_EQ(rt[0].operations.size(), 2u);
  auto ops = runs::operations_report(t);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].operation, "iteration");
  EXPECT_DOUBLE_EQ(ops[0].cost, 6);
  auto slow = runs::slowest_runs(t, 2);
  ASSERT_EQ(slow.size(), 2u);
  EXPECT_EQ(slow[0].key, "b");
  EXPECT_EQ(slow[1].key, "c");
  auto top = runs::top_report(t, 1);
  ASSERT_EQ(top.runs.size(), 1u);
  EXPECT_EQ(top.runs[0].key, "c");
  auto act = runs::latest_runs(t, 10);
  ASSERT_EQ(act.size(), 3u);
  EXPECT_EQ(act[0].key, "c");
  runs::RunFilter f;
  f.runtime = "codex";
  EXPECT_EQ(d.load(f).rows.size(), 1u);
}

// Re-writing a key updates the run: running -> success keeps what the second write omits.
TEST(RunsStore, UpsertByKey) {
  Db d;
  auto a = mk("k", kT0, 0, RunStatus::Running, 0);
  a.duration_ms.reset();
  a.cost_usd.reset();
  a.title = "first";
  runs::upsert_runs(d.db, {a});
  RunT b;
  b.key = "k";
  b.started_ms = kT0;
  b.duration_ms = 700;
  b.status = RunStatus::Success;
  runs::upsert_runs(d.db, {b});
  auto t = d.load();
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].status, RunStatus::Success);
  EXPECT_EQ(t.text_of(t.rows[0].title), "first");
  EXPECT_EQ(t.rows[0].duration_ms, 700);
}

// Times: ISO 8601 with fractions and offsets, dates, epoch ms; garbage refused.
TEST(RunsJson, TimesAndLines) {
  EXPECT_EQ(runs::parse_time_ms("2025-03-01T10:00:00Z"), kT0);
  EXPECT_EQ(runs::parse_time_ms("2025-03-01T12:00:00.000+02:00"), kT0);
  EXPECT_EQ(runs::parse_time_ms("2025-03-01T10:00:00.5Z"), kT0 + 500);
  EXPECT_EQ(runs::parse_time_ms("1740823200000"), kT0);
  EXPECT_EQ(runs::parse_time_ms("2025-03-01"), kT0 - 10 * 3600000);
  EXPECT_FALSE(runs::parse_time_ms("yesterday"));
  EXPECT_FALSE(runs::parse_time_ms("2025-13-01"));
  EXPECT_EQ(runs::format_time_ms(kT0), "2025-03-01T10:00:00.000Z");
  bool started = false;
  RunT r = runs::run_from_json(
      R"({"started":"2025-03-01T10:00:00Z","ended":"2025-03-01T10:00:02Z","status":"error"})", &started);
  runs::finish_run(r, 0, started);
  EXPECT_EQ(r.duration_ms, 2000);
  EXPECT_THROW(runs::run_from_json(R"({"status":"ok"})", &started), runs::RunInputError);
  EXPECT_THROW(runs::run_from_json(R"({"tokens_in":-1})", &started), runs::RunInputError);
  EXPECT_THROW(runs::run_from_json(R"({"meta":"x"})", &started), runs::RunInputError);
  RunT bad = runs::run_from_json(R"({"started":2000,"ended":1000})", &started);
  EXPECT_THROW(runs::finish_run(bad, 0, started), runs::RunInputError);
}
