// The window keeps runs loaded between data changes: after any mix of writes, what the
// cache hands out must equal a fresh load, whether it patched or reloaded. Also pins
// schema step 5 (written_ms indexed, and moved by an update that did not set it).
#include "core/runs/run_cache.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "core/config.hpp"
#include "core/runs/analytics.hpp"
#include "core/runs/analytics_json.hpp"
#include "core/runs/run_store.hpp"
#include "core/store/schema.hpp"
#include "core/store/store.hpp"

using namespace costdeck;
using runs::RunCache;
using runs::RunStatus;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kDay = 86400000;
constexpr std::int64_t kT0 = 1740823200000;  // 2025-03-01T10:00:00Z

runs::Run mk(const std::string& key, std::int64_t start, const std::string& project = "alpha") {
  runs::Run r;
  r.key = key;
  r.started_ms = start;
  r.duration_ms = 1000;
  r.cost_usd = 0.5;
  r.project = project;
  r.title = "title " + key;
  r.operation = "task";
  r.model = "claude-sonnet-4-5";
  return r;
}

struct TempStore {
  fs::path dir;
  store::Store s;
  explicit TempStore(const std::string& name)
      : dir(fs::temp_directory_path() / ("costdeck-runcache-" + name + "-" + std::to_string(::getpid()))),
        s((fs::remove_all(dir), fs::create_directories(dir), store::Store::open((dir / "s.db").string()))) {}
  ~TempStore() { fs::remove_all(dir); }
  void write(const std::vector<runs::Run>& rs) {
    SQLite::Transaction tx(s.db(), SQLite::TransactionBehavior::IMMEDIATE);
    runs::upsert_runs(s.db(), rs);
    tx.commit();
  }
};

// Every field a report reads, strings resolved, in table order.
std::string dump(const runs::RunTable& t) {
  std::ostringstream o;
  for (const auto& r : t.rows) {
    o << r.id << '|' << r.started_ms << '|' << r.ended_ms << '|' << r.duration_ms << '|' << t.str(r.runtime)
      << '|' << t.str(r.agent) << '|' << t.str(r.tier) << '|' << t.str(r.issue) << '|' << t.str(r.project)
      << '|' << t.str(r.session) << '|' << t.str(r.branch) << '|' << t.str(r.operation) << '|'
      << t.str(r.trigger) << '|' << t.str(r.model) << '|' << t.str(r.phase) << '|'
      << static_cast<int>(r.status) << '|' << r.has_cost << '|' << r.cost_usd << '|' << r.tokens.input << '|'
      << t.text_of(r.key) << '|' << t.text_of(r.title) << '|' << t.text_of(r.error) << '\n';
  }
  o << "errors " << t.errors.size() << '\n';
  return o.str();
}

runs::RunFilter range(std::int64_t since, std::int64_t until) {
  runs::RunFilter f;
  f.since_ms = since;
  f.until_ms = until;
  return f;
}

}  // namespace

// Nothing written: the table is kept as it is.
TEST(RunCache, UnchangedWhenNothingWasWritten) {
  TempStore t("unchanged");
  t.write({mk("a", kT0), mk("b", kT0 + 1000)});
  RunCache c;
  const auto f = range(kT0 - kDay, kT0 + kDay);
  EXPECT_EQ(c.get(t.s.db(), default_config(), 0, f).rows.size(), 2u);
  EXPECT_EQ(c.last(), RunCache::Last::Loaded);
  c.get(t.s.db(), default_config(), 0, f);
  EXPECT_EQ(c.last(), RunCache::Last::Unchanged);
}

// New runs, an update, a run moved out of the range and one into it, a run the project
// filter drops: patched, and equal to a fresh load.
TEST(RunCache, PatchGivesWhatAFreshLoadGives) {
  TempStore t("patch");
  t.write({mk("a", kT0), mk("b", kT0 + 1000), mk("c", kT0 + 2000), mk("out", kT0 + 5 * kDay)});
  RunCache c;
  auto f = range(kT0 - kDay, kT0 + kDay);
  f.project = "alpha";
  c.get(t.s.db(), default_config(), 0, f);

  auto b = mk("b", kT0 + 1000);
  b.status = RunStatus::Error;
  b.error = "boom";
  b.title = "renamed";
  auto moved_out = mk("c", kT0 + 3 * kDay);
  auto moved_in = mk("out", kT0 + 500);
  auto other = mk("beta-run", kT0 + 600, "beta");
  auto fresh = mk("d", kT0 - 100);
  fresh.model = "gpt-5";
  fresh.runtime = "codex";
  t.write({b, moved_out, moved_in, other, fresh});

  const std::string patched = dump(c.get(t.s.db(), default_config(), 0, f));
  EXPECT_EQ(c.last(), RunCache::Last::Patched);
  EXPECT_EQ(patched, dump(runs::load_runs(t.s.db(), default_config(), f)));
  EXPECT_NE(patched.find("renamed"), std::string::npos);
  EXPECT_EQ(patched.find("beta"), std::string::npos);
}

// A deleted run cannot be seen through written_ms: the cache notices and reloads.
TEST(RunCache, DeleteForcesReload) {
  TempStore t("delete");
  t.write({mk("a", kT0), mk("b", kT0 + 1000)});
  RunCache c;
  const auto f = range(kT0 - kDay, kT0 + kDay);
  c.get(t.s.db(), default_config(), 0, f);
  t.s.db().exec("DELETE FROM runs WHERE run_key = 'a'");
  t.write({mk("e", kT0 + 2000)});  // a write as well, so the newest stamp moves too
  const auto& got = c.get(t.s.db(), default_config(), 0, f);
  EXPECT_EQ(c.last(), RunCache::Last::Loaded);
  EXPECT_EQ(dump(got), dump(runs::load_runs(t.s.db(), default_config(), f)));
  EXPECT_EQ(got.rows.size(), 2u);
}

// A new session link changes the issue of runs no one rewrote; a config change
// re-attributes everything: both reload.
TEST(RunCache, LinksAndConfigReload) {
  TempStore t("links");
  auto a = mk("a", kT0);
  a.session_id = "s-1";
  t.write({a});
  RunCache c;
  const auto f = range(kT0 - kDay, kT0 + kDay);
  c.get(t.s.db(), default_config(), 0, f);
  {
    SQLite::Transaction tx(t.s.db(), SQLite::TransactionBehavior::IMMEDIATE);
    runs::upsert_links(t.s.db(), {{"s-1", "MIN-7", "review", "", -1, -1}});
    tx.commit();
  }
  const auto& got = c.get(t.s.db(), default_config(), 0, f);
  EXPECT_EQ(c.last(), RunCache::Last::Loaded);
  ASSERT_EQ(got.rows.size(), 1u);
  EXPECT_EQ(got.str(got.rows[0].issue), "MIN-7");
  c.get(t.s.db(), default_config(), 1, f);
  EXPECT_EQ(c.last(), RunCache::Last::Loaded);
}

// Step 5: a program that updates a run without touching written_ms still moves it, so a
// patching reader sees the change.
TEST(RunCache, DirectUpdateMovesWrittenStamp) {
  TempStore t("trigger");
  t.write({mk("a", kT0)});
  EXPECT_EQ(t.s.db().execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'runs_written'").getInt(),
            1);
  t.s.db().exec("UPDATE runs SET written_ms = 5");
  EXPECT_EQ(t.s.db().execAndGet("SELECT written_ms FROM runs").getInt64(), 5);
  RunCache c;
  const auto f = range(kT0 - kDay, kT0 + kDay);
  c.get(t.s.db(), default_config(), 0, f);
  t.s.db().exec("UPDATE runs SET title = 'by a script' WHERE run_key = 'a'");
  EXPECT_GT(t.s.db().execAndGet("SELECT written_ms FROM runs").getInt64(), 1'000'000'000'000);
  const auto& got = c.get(t.s.db(), default_config(), 0, f);
  EXPECT_EQ(c.last(), RunCache::Last::Patched);
  ASSERT_EQ(got.rows.size(), 1u);
  EXPECT_EQ(got.text_of(got.rows[0].title), "by a script");
}

// A run rewritten again and again (a live session's turn) leaves its old text behind in
// the table's buffer at each patch; the buffer is compacted before the dead text passes a
// quarter of it, and the texts read back stay right.
TEST(RunCache, RewrittenRunsDoNotGrowTheTextBuffer) {
  TempStore t("rewrite");
  std::vector<runs::Run> base;
  for (int i = 0; i < 20; ++i) base.push_back(mk("r" + std::to_string(i), kT0 + i * 1000));
  t.write(base);
  RunCache c;
  const auto f = range(kT0 - kDay, kT0 + kDay);
  c.get(t.s.db(), default_config(), 0, f);
  for (int k = 0; k < 60; ++k) {
    auto r = mk("r7", kT0 + 7000);
    r.title = "the seventh turn, revision " + std::to_string(k);
    // The fingerprint sees a rewrite by its written_ms: not within the millisecond of the last.
    usleep(2000);
    t.write({r});
    const runs::RunTable& got = c.get(t.s.db(), default_config(), 0, f);
    ASSERT_EQ(c.last(), RunCache::Last::Patched);
    ASSERT_EQ(dump(got), dump(runs::load_runs(t.s.db(), default_config(), f)));
    std::size_t live = 0;
    for (const auto& row : got.rows) live += row.key.size + row.title.size + row.error.size;
    // Without compaction it would hold every revision: 60 times the live text by the end.
    EXPECT_LE(got.text.size(), live + live / 3 + 1) << "after revision " << k;
  }
}

// Runs of both runtimes, three projects, recorded and branch-derived issues, a few in error,
// started out of id order; a linked session; session-file error events.
void fill_mixed(TempStore& t) {
  std::vector<runs::Run> rs;
  for (int i = 0; i < 300; ++i) {
    auto r = mk("run-" + std::to_string(i), kT0 + (i * 7919 % 300) * 60'000,
                i % 3 == 0 ? "alpha" : (i % 3 == 1 ? "beta" : "gamma/x"));
    r.runtime = i % 4 == 0 ? "codex" : "claude-code";
    r.model = i % 5 == 0 ? "gpt-5" : "claude-sonnet-4-5";
    r.issue = i % 7 == 0 ? "MIN-" + std::to_string(i % 11) : "";
    r.session_id = "s" + std::to_string(i % 13);
    r.git_branch = i % 6 == 0 ? "feature/MIN-" + std::to_string(i % 9) + "-x" : "";
    if (i % 10 == 0) {
      r.status = RunStatus::Error;
      r.error = "timeout after " + std::to_string(i) + "s";
      if (i % 20 == 0) r.source = runs::RunSource::SessionFile;  // counted as an error event instead
    }
    rs.push_back(r);
  }
  t.write(rs);
  std::vector<runs::ErrorEvent> events;
  for (int i = 0; i < 40; ++i) {
    runs::ErrorEvent e;
    e.key = "ev" + std::to_string(i);
    e.ts_ms = kT0 + i * 90'000;
    e.session_id = "s" + std::to_string(i % 13);
    e.project = i % 2 ? "alpha" : "beta";
    e.tool = "Bash";
    e.message = "exit " + std::to_string(i % 3);
    events.push_back(e);
  }
  {
    SQLite::Transaction tx(t.s.db(), SQLite::TransactionBehavior::IMMEDIATE);
    runs::upsert_error_events(t.s.db(), events);
    tx.commit();
  }
  runs::upsert_links(t.s.db(), {{"s3", "MIN-77", "review", "", -1, -1}});
}

// A report's load of a whole table in two halves at once (the upper ids on a second
// connection, with the session-file errors) gives the table a single read gives: the same
// rows in the same order, the same shared strings, texts and error events.
TEST(RunLoad, TwoHalvesGiveWhatOneReadGives) {
  TempStore t("halves");
  fill_mixed(t);
  for (auto texts : {runs::LoadOptions::Texts::All, runs::LoadOptions::Texts::ErrorRuns}) {
    for (const std::string project : {"", "alpha"}) {
      runs::RunFilter f;
      f.project = project;
      runs::LoadOptions one;
      one.texts = texts;
      runs::LoadOptions two = one;
      two.parallel = true;
      two.parallel_min_rows = 1;
      const runs::RunTable a = runs::load_runs(t.s.db(), default_config(), f, one);
      const runs::RunTable b = runs::load_runs(t.s.db(), default_config(), f, two);
      ASSERT_GT(a.rows.size(), 50u);
      EXPECT_EQ(dump(b), dump(a)) << "project '" << project << "'";
      EXPECT_EQ(b.strings, a.strings);
      ASSERT_EQ(b.errors.size(), a.errors.size());
      ASSERT_GT(a.errors.size(), 10u);
      for (std::size_t i = 0; i < a.errors.size(); ++i) EXPECT_EQ(b.errors[i].message, a.errors[i].message);
    }
  }
}

// Each report reads only the fields it needs (load_options_for): its JSON must equal the
// JSON of the same report over a load of every field and text, with and without filters on
// attributed fields, with tier rules and with budgets.
TEST(RunLoad, EachReportReadsWhatItsJsonNeeds) {
  TempStore t("fields");
  fill_mixed(t);
  Config config = default_config();
  config.tier_rules.insert(config.tier_rules.begin(),
                           {"heavy", "", std::nullopt, "gpt", "", "", std::nullopt});
  live::Budget b;
  b.tier = "heavy";
  b.limit = 5;
  const timeutil::Zone zone = timeutil::Zone::utc();
  const std::int64_t now = kT0 + 2 * 60 * 60 * 1000;
  // Lists choose from the narrow load and read their runs whole afterwards.
  auto whole = [&](std::vector<runs::RunBrief> v, bool complete) {
    if (complete) runs::complete_briefs(t.s.db(), config, v);
    return v;
  };
  auto report = [&](std::string_view name, const runs::RunTable& tb, bool complete) -> std::string {
    if (name == "tiers") return runs::to_json(runs::tiers_report(tb, config.budgets, zone, now));
    if (name == "performance") return runs::to_json(runs::performance_report(tb, zone, now));
    if (name == "errors") return runs::to_json(runs::errors_report(tb));
    if (name == "runtimes") return runs::to_json(runs::runtimes_report(tb, zone));
    if (name == "operations") return runs::to_json(runs::operations_report(tb));
    if (name == "issues") return runs::to_json(runs::issues_report(tb, config.badges));
    if (name == "slowest") return runs::to_json(whole(runs::slowest_runs(tb, 10), complete), "runs");
    if (name == "top") {
      runs::TopReport top = runs::top_report(tb, 10);
      top.runs = whole(std::move(top.runs), complete);
      return runs::to_json(top);
    }
    return runs::to_json(whole(runs::latest_runs(tb, 10), complete), "runs");
  };
  for (bool budgets : {false, true}) {
    config.budgets.clear();
    if (budgets) config.budgets.push_back(b);
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"", ""}, {"project", "alpha"}, {"model", "gpt"}, {"tier", "heavy"}, {"issue", "MIN-77"}}) {
      runs::RunFilter f;
      if (key == "project") f.project = value;
      if (key == "model") f.model = value;
      if (key == "tier") f.tier = value;
      if (key == "issue") f.issue = value;
      for (std::string_view name : {"tiers", "performance", "errors", "runtimes", "operations", "issues",
                                    "slowest", "top", "activity"}) {
        const runs::LoadOptions some = runs::load_options_for(name, budgets);
        const runs::RunTable a = runs::load_runs(t.s.db(), config, f, runs::LoadOptions{});
        const runs::RunTable s = runs::load_runs(t.s.db(), config, f, some);
        ASSERT_FALSE(a.rows.empty()) << key;
        EXPECT_EQ(report(name, s, true), report(name, a, false))
            << name << " filter " << key << " budgets " << budgets;
      }
    }
  }
  // The masks do leave fields out: an aggregate over costs reads no projects or sessions,
  // and a list's narrow load alone lacks what its completed briefs show.
  {
    const runs::RunTable narrow =
        runs::load_runs(t.s.db(), config, {}, runs::load_options_for("activity", false));
    const auto few = runs::latest_runs(narrow, 3);
    ASSERT_EQ(few.size(), 3u);
    EXPECT_TRUE(few[0].title.empty());
    EXPECT_TRUE(few[0].project.empty());
    const auto done = whole(few, true);
    EXPECT_FALSE(done[0].title.empty());
    EXPECT_FALSE(done[0].project.empty());
  }
  const runs::RunTable ops =
      runs::load_runs(t.s.db(), config, {}, runs::load_options_for("operations", false));
  for (const auto& r : ops.rows) {
    EXPECT_EQ(r.session, -1);
    EXPECT_EQ(r.project, -1);
  }
}
