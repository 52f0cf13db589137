// The numbers the performance views print come from the snapshot; this pins them to what
// `costdeck report … --json` prints for the same store, range, clock, zone and filters, so
// the window and the command line never disagree.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/demo_data.hpp"
#include "core/worker.hpp"

using namespace costdeck;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::int64_t kNow = 1'768'489'200'000;  // 2026-01-15T15:00:00Z
const char* kNowText = "2026-01-15T15:00:00Z";

struct Store {
  demo::DemoData data;
  fs::path config_home;
  Store() {
    demo::DemoOptions d;
    d.now_ms = kNow;
    data = demo::write_demo(d);
    config_home = fs::path(data.root) / "xdg";  // no config file: the defaults, as the worker gets
    fs::create_directories(config_home);
    // One ingest into the store, so the CLI's --no-scan reads the same runs as the window.
    WorkerOptions o;
    o.db_path = data.db_path;
    o.claude_dirs = {data.claude_dir};
    o.codex_dirs = {data.codex_dir};
    o.config = default_config();
    o.pinned_now_ms = kNow;
    Worker w(o);
    w.build_once(ViewFilter{});
  }
  ~Store() {
    std::error_code ec;
    fs::remove_all(data.root, ec);
  }
};

Store& store() {
  static Store* s = new Store;
  return *s;
}

SnapshotPtr snapshot(const ViewFilter& f) {
  WorkerOptions o;
  o.db_path = store().data.db_path;
  o.no_scan = true;
  o.config = default_config();
  o.pinned_now_ms = kNow;
  Worker w(o);
  return w.build_once(f);
}

json cli_report(const std::string& name, const std::string& args) {
  std::string cmd = "env XDG_CONFIG_HOME=" + store().config_home.string() + " COSTDECK_NO_USER_PRICES=1 " +
                    COSTDECK_BINARY + " report " + name + " --json --no-scan --db " + store().data.db_path +
                    " --now " + kNowText + " --timezone UTC " + args + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buf[65536];
  std::size_t n;
  while (p && (n = std::fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
  return json::parse(out, nullptr, false);
}

ViewFilter last_30_days() {
  ViewFilter f;
  f.range = RangeKind::Days30;
  f.timezone = "UTC";
  return f;
}
const char* kRange30 = "--since 2025-12-17 --until 2026-01-15";

void expect_perf(const runs::PerformanceReport& p, const json& j) {
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(p.tasks, j["tasks"].get<std::int64_t>());
  EXPECT_EQ(p.successes, j["successes"].get<std::int64_t>());
  EXPECT_EQ(p.errors, j["errors"].get<std::int64_t>());
  EXPECT_EQ(p.aborted, j["aborted"].get<std::int64_t>());
  EXPECT_DOUBLE_EQ(p.success_rate, j["successRate"].get<double>());
  EXPECT_DOUBLE_EQ(p.duration.avg_ms, j["duration"]["avgMs"].get<double>());
  EXPECT_DOUBLE_EQ(p.duration.median_ms, j["duration"]["medianMs"].get<double>());
  EXPECT_DOUBLE_EQ(p.duration.p95_ms, j["duration"]["p95Ms"].get<double>());
  ASSERT_EQ(p.daily.size(), j["daily"].size());
  for (std::size_t i = 0; i < p.daily.size(); ++i) {
    EXPECT_EQ(p.daily[i].day, j["daily"][i]["date"]);
    EXPECT_EQ(p.daily[i].tasks, j["daily"][i]["tasks"].get<std::int64_t>());
    EXPECT_DOUBLE_EQ(p.daily[i].success_rate, j["daily"][i]["successRate"].get<double>());
  }
}

}  // namespace

// The four cards and the daily series (demo store, last 30 days).
TEST(ScreenNumbers, PerformanceCardsAndSeries) {
  SnapshotPtr s = snapshot(last_30_days());
  ASSERT_GT(s->perf.tasks, 100);
  json j = cli_report("performance", kRange30);
  expect_perf(s->perf, j);
  EXPECT_EQ(s->perf.errors_today, j["errorsToday"].get<std::int64_t>());
}

// "vs previous period": the 30 days before the range, as the CLI reports them.
TEST(ScreenNumbers, PreviousPeriod) {
  SnapshotPtr s = snapshot(last_30_days());
  ASSERT_TRUE(s->perf_has_previous);
  ASSERT_GT(s->perf_previous.tasks, 0);
  expect_perf(s->perf_previous, cli_report("performance", "--since 2025-11-17 --until 2025-12-16"));
}

// Error patterns: totals, the patterns in order with their counts and sources.
TEST(ScreenNumbers, ErrorPatterns) {
  SnapshotPtr s = snapshot(last_30_days());
  json j = cli_report("errors", kRange30);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(s->errors->total, j["total"].get<std::int64_t>());
  ASSERT_EQ(s->errors->patterns.size(), j["patterns"].size());
  ASSERT_FALSE(s->errors->patterns.empty());
  for (std::size_t i = 0; i < s->errors->patterns.size(); ++i) {
    EXPECT_EQ(s->errors->patterns[i].pattern, j["patterns"][i]["pattern"]);
    EXPECT_EQ(s->errors->patterns[i].count, j["patterns"][i]["count"].get<std::int64_t>());
    EXPECT_EQ(s->errors->patterns[i].source, j["patterns"][i]["source"]);
  }
}

// Slowest tasks: the same runs in the same order with the same durations.
TEST(ScreenNumbers, SlowestTasks) {
  SnapshotPtr s = snapshot(last_30_days());
  json j = cli_report("slowest", std::string(kRange30) + " --limit 50");
  ASSERT_TRUE(j.is_object());
  ASSERT_EQ(s->slowest.size(), j["runs"].size());
  for (std::size_t i = 0; i < s->slowest.size(); ++i) {
    EXPECT_EQ(s->slowest[i].key, j["runs"][i]["id"]);
    EXPECT_EQ(s->slowest[i].duration_ms, j["runs"][i]["durationMs"].get<std::int64_t>());
  }
}

// Runtimes: the comparison table's columns, for all runtimes and for the codex filter.
TEST(ScreenNumbers, Runtimes) {
  for (const char* rt : {"", "codex"}) {
    ViewFilter f = last_30_days();
    f.runtime = rt;
    SnapshotPtr s = snapshot(f);
    json j = cli_report("runtimes", std::string(kRange30) + (*rt ? std::string(" --runtime ") + rt : ""));
    ASSERT_TRUE(j.is_object());
    ASSERT_EQ(s->runtimes.size(), j["runtimes"].size()) << rt;
    ASSERT_FALSE(s->runtimes.empty());
    for (std::size_t i = 0; i < s->runtimes.size(); ++i) {
      const auto& r = s->runtimes[i];
      const json& x = j["runtimes"][i];
      EXPECT_EQ(r.runtime, x["runtime"]);
      EXPECT_EQ(r.tasks, x["tasks"].get<std::int64_t>());
      EXPECT_DOUBLE_EQ(r.success_rate, x["successRate"].get<double>());
      EXPECT_DOUBLE_EQ(r.avg_duration_ms, x["avgDurationMs"].get<double>());
      EXPECT_NEAR(r.cost, x["costUSD"].get<double>(), 1e-9);
      EXPECT_NEAR(r.cost_per_task, x["costPerTaskUSD"].get<double>(), 1e-9);
      EXPECT_EQ(r.tokens.total(), x["tokens"]["totalTokens"].get<std::int64_t>());
      EXPECT_EQ(r.operations.size(), x["operations"].size());
      EXPECT_EQ(r.daily.size(), x["daily"].size());
    }
  }
}

// Issues: cost, badge, session count and tokens (what the badge and its tooltip show).
TEST(ScreenNumbers, Issues) {
  SnapshotPtr s = snapshot(last_30_days());
  json j = cli_report("issues", kRange30);
  ASSERT_TRUE(j.is_object());
  ASSERT_EQ(s->issues->size(), j["issues"].size());
  ASSERT_FALSE(s->issues->empty());
  for (std::size_t i = 0; i < s->issues->size(); ++i) {
    const auto& r = (*s->issues)[i];
    const json& x = j["issues"][i];
    EXPECT_EQ(r.issue, x["issue"]);
    EXPECT_NEAR(r.cost, x["costUSD"].get<double>(), 1e-9);
    EXPECT_EQ(r.badge, x["badge"]);
    EXPECT_EQ(static_cast<std::int64_t>(r.sessions.size()), x["sessionCount"].get<std::int64_t>());
    EXPECT_EQ(r.tokens.total(), x["tokens"]["totalTokens"].get<std::int64_t>());
  }
}

// Today only (the hourly view): the cards still match the CLI for that one day.
TEST(ScreenNumbers, TodayRange) {
  ViewFilter f;
  f.range = RangeKind::Today;
  f.timezone = "UTC";
  SnapshotPtr s = snapshot(f);
  ASSERT_FALSE(s->perf_hourly.empty());
  expect_perf(s->perf, cli_report("performance", "--since 2026-01-15 --until 2026-01-15"));
}
