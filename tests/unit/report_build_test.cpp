#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/report/render.hpp"
#include "core/report/report.hpp"

namespace costdeck::report {
namespace {

using store::UsageRow;
using store::UsageTable;

std::int64_t ms(const char* iso) {
  return timeutil::parse_iso8601_ms(iso).value();
}

std::int32_t intern(std::vector<std::string>& v, const std::string& s) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] == s) return static_cast<std::int32_t>(i);
  v.push_back(s);
  return static_cast<std::int32_t>(v.size() - 1);
}

struct Builder {
  UsageTable t;
  UsageRow& add(const char* ts, const char* model, std::int64_t in, std::int64_t out,
                const char* session = "s1", const char* file = "/c/projects/-w-app/s1.jsonl",
                Runtime rt = Runtime::Claude) {
    UsageRow r;
    r.ts_ms = ms(ts);
    r.runtime = rt;
    r.model = intern(t.models, model);
    r.session = intern(t.sessions, session);
    r.project = intern(t.projects, "/w/app");
    r.file = intern(t.files, file);
    r.tokens.input = in;
    r.tokens.output = out;
    t.rows.push_back(r);
    return t.rows.back();
  }
};

const PriceTable& prices() {
  static const PriceTable p = PriceTable::builtin();
  return p;
}

// Days are cut in the report's zone; since/until are inclusive local days.
TEST(ReportBuild, DailyBucketsInZoneAndSinceUntilInclusive) {
  Builder b;
  b.add("2025-03-01T23:30:00Z", "claude-haiku-4-5", 1'000'000, 0);  // NY: 18:30 on 03-01
  b.add("2025-03-02T04:30:00Z", "claude-haiku-4-5", 1'000'000, 0);  // NY: 23:30 on 03-01
  b.add("2025-03-02T05:30:00Z", "claude-haiku-4-5", 1'000'000, 0);  // NY: 00:30 on 03-02
  b.add("2025-03-03T12:00:00Z", "claude-haiku-4-5", 1'000'000, 0);
  ReportOptions o;
  o.zone = timeutil::Zone::named("America/New_York");
  Report r = build_report(b.t, prices(), o);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0].key, "2025-03-01");
  EXPECT_EQ(r.rows[0].totals.tokens.input, 2'000'000);
  EXPECT_NEAR(r.rows[0].totals.cost, 2.0, 1e-9);
  o.since = timeutil::parse_day("2025-03-02");
  o.until = timeutil::parse_day("20250303");
  r = build_report(b.t, prices(), o);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].key, "2025-03-02");
  EXPECT_EQ(r.rows[1].key, "2025-03-03");
  EXPECT_EQ(r.totals.tokens.input, 2'000'000);
}

// Weekly keys are the date of the week's first day, Monday unless asked otherwise.
TEST(ReportBuild, WeeklyStartsMonday) {
  Builder b;
  b.add("2025-03-02T12:00:00Z", "claude-haiku-4-5", 10, 0);  // Sunday
  b.add("2025-03-03T12:00:00Z", "claude-haiku-4-5", 10, 0);  // Monday
  ReportOptions o;
  o.period = Period::Week;
  Report r = build_report(b.t, prices(), o);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].key, "2025-02-24");
  EXPECT_EQ(r.rows[1].key, "2025-03-03");
  o.week_start = 7;
  r = build_report(b.t, prices(), o);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].key, "2025-03-02");
}

// Unknown models: tokens counted, listed, never silently $0.
TEST(ReportBuild, UnknownModelsListed) {
  Builder b;
  b.add("2025-03-02T12:00:00Z", "acme-coder-9", 500, 50);
  b.add("2025-03-02T13:00:00Z", "claude-haiku-4-5", 1'000'000, 0);
  Report r = build_report(b.t, prices(), {});
  ASSERT_EQ(r.unknown_models.size(), 1u);
  EXPECT_EQ(r.unknown_models[0].model, "acme-coder-9");
  EXPECT_EQ(r.unknown_models[0].totals.tokens.total(), 550);
  EXPECT_EQ(r.totals.tokens.total(), 1'000'550);
  auto j = nlohmann::json::parse(render_json(r, Shape::Claude));
  EXPECT_EQ(j["unknownModels"][0]["model"], "acme-coder-9");
  EXPECT_EQ(j["unknownModels"][0]["totalTokens"], 550);
  EXPECT_NE(render_table(r, Shape::Claude).find("Unknown models"), std::string::npos);
}

// Sessions: by the sessionId field by default (subagent files join their parent); by
// file path under --compat ccusage.
TEST(ReportBuild, SessionGrouping) {
  Builder b;
  b.add("2025-03-02T12:00:00Z", "claude-haiku-4-5", 10, 0, "s1", "/c/projects/-w-app/s1.jsonl");
  b.add("2025-03-02T12:05:00Z", "claude-haiku-4-5", 20, 0, "s1", "/c/projects/-w-app/agent-abc.jsonl");
  b.add("2025-03-02T12:06:00Z", "claude-haiku-4-5", 40, 0, "s1",
        "/c/projects/-w-app/s1/subagents/agent-d.jsonl");
  ReportOptions o;
  o.period = Period::Session;
  Report r = build_report(b.t, prices(), o);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].key, "s1");
  EXPECT_EQ(r.rows[0].totals.tokens.input, 70);
  EXPECT_EQ(r.rows[0].project_path, "-w-app");
  o.sessions = SessionGrouping::FilePath;
  r = build_report(b.t, prices(), o);
  ASSERT_EQ(r.rows.size(), 2u);    // s1 (+ its subagents folder) and agent-abc
  EXPECT_EQ(r.rows[0].key, "s1");  // highest cost first, as ccusage
  EXPECT_EQ(r.rows[0].totals.tokens.input, 50);
  EXPECT_EQ(r.rows[1].key, "agent-abc");
}

TEST(ReportBuild, SessionPartsFromPath) {
  auto p = session_parts_from_path("/h/.claude/projects/-w-app/abc.jsonl", Runtime::Claude);
  EXPECT_EQ(p.session_id, "abc");
  EXPECT_EQ(p.project_path, "-w-app");
  p = session_parts_from_path("/h/.codex/sessions/2025/10/01/rollout-x.jsonl", Runtime::Codex);
  EXPECT_EQ(p.session_id, "2025/10/01/rollout-x");
  EXPECT_EQ(p.project_path, "2025/10/01");
  EXPECT_EQ(p.file_stem, "rollout-x");
}

// JSON keeps ccusage's field names so scripts written for it keep working.
TEST(ReportBuild, JsonShapeClaude) {
  Builder b;
  b.add("2025-03-02T12:00:00Z", "claude-haiku-4-5-20251001", 10, 0);
  b.add("2025-03-02T12:00:01Z", "claude-opus-4-1-20250805", 1000, 1);
  ReportOptions o;
  auto j = nlohmann::json::parse(render_json(build_report(b.t, prices(), o), Shape::Claude));
  const auto& d = j["daily"][0];
  for (const char* k : {"date", "inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens",
                        "totalTokens", "totalCost", "modelsUsed", "modelBreakdowns"})
    EXPECT_TRUE(d.contains(k)) << k;
  EXPECT_EQ(d["modelsUsed"][0], "claude-haiku-4-5-20251001");                   // first use
  EXPECT_EQ(d["modelBreakdowns"][0]["modelName"], "claude-opus-4-1-20250805");  // highest cost first
  for (const char* k :
       {"modelName", "inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens", "cost"})
    EXPECT_TRUE(d["modelBreakdowns"][0].contains(k)) << k;
  for (const char* k :
       {"inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens", "totalTokens", "totalCost"})
    EXPECT_TRUE(j["totals"].contains(k)) << k;
  o.period = Period::Month;
  j = nlohmann::json::parse(render_json(build_report(b.t, prices(), o), Shape::Claude));
  EXPECT_EQ(j["monthly"][0]["month"], "2025-03");
  o.period = Period::Session;
  j = nlohmann::json::parse(render_json(build_report(b.t, prices(), o), Shape::Claude));
  EXPECT_EQ(j["sessions"][0]["sessionId"], "s1");
  EXPECT_EQ(j["sessions"][0]["projectPath"], "-w-app");
  EXPECT_EQ(j["sessions"][0]["lastActivity"], "2025-03-02T12:00:01.000Z");
}

// Codex reports use ccusage codex's shape: costUSD, models{} with isFallback, reasoning.
TEST(ReportBuild, JsonShapeCodex) {
  Builder b;
  auto& r1 = b.add("2025-10-01T10:00:05Z", "gpt-5-codex", 6000, 500, "u1",
                   "/x/sessions/2025/10/01/rollout-a.jsonl", Runtime::Codex);
  r1.tokens.cache_read = 4000;
  r1.reasoning_tokens = 200;
  b.add("2025-10-01T10:00:06Z", "", 100, 0, "u1", "/x/sessions/2025/10/01/rollout-a.jsonl", Runtime::Codex);
  ReportOptions o;
  o.runtime = Runtime::Codex;
  auto j = nlohmann::json::parse(render_json(build_report(b.t, prices(), o), Shape::Codex));
  const auto& d = j["daily"][0];
  EXPECT_NEAR(d["costUSD"].get<double>(), 6000 * 1.25e-6 + 4000 * 0.125e-6 + 500 * 10e-6 + 100 * 1.25e-6,
              1e-12);
  EXPECT_EQ(d["reasoningOutputTokens"], 200);
  EXPECT_EQ(d["models"]["gpt-5-codex"]["isFallback"], false);
  EXPECT_EQ(d["models"]["gpt-5"]["isFallback"], true);
  EXPECT_EQ(d["totalTokens"], 10600);
  o.period = Period::Session;
  j = nlohmann::json::parse(render_json(build_report(b.t, prices(), o), Shape::Codex));
  EXPECT_EQ(j["sessions"][0]["sessionFile"], "rollout-a");
  EXPECT_EQ(j["sessions"][0]["directory"], "2025/10/01");
}

TEST(ReportBuild, TableFormatting) {
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_count(12), "12");
  EXPECT_EQ(format_usd(1234.567), "$1,234.57");
  EXPECT_EQ(format_usd(0.004), "$0.00");
  Builder b;
  b.add("2025-03-02T12:00:00Z", "claude-haiku-4-5", 1'234'567, 0);
  std::string t = render_table(build_report(b.t, prices(), {}), Shape::Claude);
  EXPECT_NE(t.find("1,234,567"), std::string::npos);
  EXPECT_NE(t.find("Total"), std::string::npos);
  EXPECT_NE(t.find("$1.23"), std::string::npos);
}

// Filters: --model by substring, --project by cwd or project folder.
TEST(ReportBuild, Filters) {
  Builder b;
  b.add("2025-03-02T12:00:00Z", "claude-haiku-4-5", 10, 0);
  b.add("2025-03-02T12:00:00Z", "claude-opus-4-5", 20, 0);
  ReportOptions o;
  o.model = "opus";
  EXPECT_EQ(build_report(b.t, prices(), o).totals.tokens.input, 20);
  o.model.clear();
  o.project = "nothing-like-it";
  EXPECT_EQ(build_report(b.t, prices(), o).totals.tokens.input, 0);
  o.project = "w-app";
  EXPECT_EQ(build_report(b.t, prices(), o).totals.tokens.input, 30);
}

// Costs the window priced once per data change (live::price_rows) must give the report
// its own pricing gives, including an unknown model's flag; the range is cut by day in the
// zone either way (rows just outside [since, until] in UTC but inside in the zone count).
TEST(ReportBuild, PrecomputedRowCostsAndBoundsGiveTheSameReport) {
  Builder b;
  b.add("2025-03-01T23:30:00Z", "claude-haiku-4-5", 1'000'000, 10);  // NY: 03-01
  b.add("2025-03-02T04:30:00Z", "claude-opus-4-5", 2'000'000, 20);   // NY: 03-01
  b.add("2025-03-02T05:30:00Z", "not-a-model", 3'000'000, 30);       // NY: 03-02
  b.add("2025-03-03T04:59:00Z", "claude-haiku-4-5", 4'000'000, 40);  // NY: 03-02
  b.add("2025-03-03T05:00:00Z", "claude-haiku-4-5", 5'000'000, 50);  // NY: 03-03
  ReportOptions o;
  o.zone = timeutil::Zone::named("America/New_York");
  o.since = timeutil::parse_day("2025-03-02");
  o.until = timeutil::parse_day("2025-03-02");
  o.period = Period::Model;
  const Report plain = build_report(b.t, prices(), o);
  std::vector<double> usd;
  std::vector<bool> priced;
  for (const auto& r : b.t.rows) {
    ResponseCost c = response_cost(prices().find(b.t.models[r.model]), r.tokens, r.cost_usd(), r.fast, o.rules);
    usd.push_back(c.usd);
    priced.push_back(c.priced);
  }
  o.row_usd = &usd;
  o.row_priced = &priced;
  const Report pre = build_report(b.t, prices(), o);
  EXPECT_EQ(plain.totals.tokens.input, 7'000'000);
  EXPECT_EQ(pre.totals.tokens.input, 7'000'000);
  EXPECT_DOUBLE_EQ(pre.totals.cost, plain.totals.cost);
  ASSERT_EQ(pre.unknown_models.size(), 1u);
  EXPECT_EQ(pre.unknown_models[0].model, "not-a-model");
  ASSERT_EQ(pre.rows.size(), plain.rows.size());
  for (std::size_t i = 0; i < pre.rows.size(); ++i) {
    EXPECT_EQ(pre.rows[i].key, plain.rows[i].key);
    EXPECT_DOUBLE_EQ(pre.rows[i].totals.cost, plain.rows[i].totals.cost);
  }
}

}  // namespace
}  // namespace costdeck::report
