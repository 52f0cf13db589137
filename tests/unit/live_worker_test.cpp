// The worker follows the files and the store by itself: appended lines (also a line written
// in two pieces) and runs recorded by another process reach a new snapshot with no refresh
// request and the periodic rescan switched off; the live part of the snapshot (sessions,
// the current block, budgets) is filled; a budget crossing is reported once per crossing;
// Settings' config save is written by the worker; the status line's fast path; the watcher's
// filter; the budget command's environment.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "app/notify.hpp"
#include "cli_util.hpp"
#include "core/live/watcher.hpp"
#include "core/worker.hpp"

using namespace costdeck;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::int64_t kNow = 1'767'268'800'000;  // 2026-01-01T12:00:00Z

// A Claude response of 10 input + `output` output + 1000 cache-read tokens.
std::string line(const std::string& id, const char* ts, int output, const char* session = "s1") {
  return std::string(R"({"type":"assistant","sessionId":")") + session + R"(","cwd":"/w/app","timestamp":")" +
         ts + R"(","requestId":"req_)" + id + R"(","message":{"id":")" + id +
         R"(","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,"output_tokens":)" +
         std::to_string(output) + R"(,"cache_read_input_tokens":1000}}})" + "\n";
}

void append(const fs::path& f, const std::string& text) {
  std::ofstream o(f, std::ios::app | std::ios::binary);
  o << text;
}

struct Fixture {
  fs::path dir = costdeck::test::temp_dir("live-worker");
  fs::path file = dir / "claude/projects/-w-app/s1.jsonl";
  WorkerOptions opts;
  Fixture() {
    fs::create_directories(file.parent_path());
    opts.db_path = (dir / "t.db").string();
    opts.claude_dirs = {(dir / "claude").string()};
    opts.codex_dirs = {(dir / "codex").string()};
    opts.config_path = (dir / "config.json").string();
    opts.pinned_now_ms = kNow;
    // Nothing but the watcher and the data_version check may find the changes.
    opts.refresh = std::chrono::hours(1);
    opts.rescan = std::chrono::hours(1);
  }
  ~Fixture() { fs::remove_all(dir); }
};

ViewFilter today_utc() {
  ViewFilter f;
  f.timezone = "UTC";
  f.range = RangeKind::Today;
  return f;
}

// Waits (bounded, not timed) for a snapshot that satisfies `pred`.
template <class Pred>
SnapshotPtr wait_for(const Worker& w, SnapshotPtr from, Pred pred, std::chrono::seconds limit = 20s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  SnapshotPtr s = from;
  while (!pred(*s) && std::chrono::steady_clock::now() < end) s = w.wait_newer(s->version, 200ms);
  return s;
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

// Rule: an appended line is picked up through the file watcher (no refresh_now, no timer).
TEST(LiveWorker, AppendedLineArrivesThroughTheWatcher) {
  Fixture fx;
  append(fx.file, line("m1", "2026-01-01T11:50:00Z", 100));
  Worker w(fx.opts);
  w.start(today_utc());
  SnapshotPtr a = w.wait_newer(0, 20s);
  ASSERT_TRUE(a && a->ready);
  ASSERT_EQ(a->range_responses, 1);
  auto t0 = std::chrono::steady_clock::now();
  append(fx.file, line("m2", "2026-01-01T11:55:00Z", 200));
  SnapshotPtr b = wait_for(w, a, [](const Snapshot& s) { return s.range_responses == 2; });
  EXPECT_EQ(b->range_responses, 2);
  std::printf("[ info ] append -> snapshot: %.0f ms\n", ms_since(t0));
  ASSERT_EQ(b->live.sessions.size(), 1u);
  EXPECT_EQ(b->live.sessions[0].responses, 2);
  EXPECT_EQ(b->live.sessions[0].tokens.total(), 1110 + 1210);
}

// Rule: half a line (no newline yet) is not counted and not malformed; the rest completes it.
TEST(LiveWorker, LineWrittenInTwoPieces) {
  Fixture fx;
  append(fx.file, line("m1", "2026-01-01T11:50:00Z", 100));
  Worker w(fx.opts);
  w.start(today_utc());
  SnapshotPtr a = w.wait_newer(0, 20s);
  ASSERT_TRUE(a && a->ready);
  const std::string l = line("m2", "2026-01-01T11:55:00Z", 300);
  const std::size_t half = l.size() / 2;
  append(fx.file, l.substr(0, half));
  // Whatever the worker publishes for the half line still holds one response, no error.
  SnapshotPtr mid = w.wait_newer(a->version, 1500ms);
  EXPECT_EQ(mid->range_responses, 1);
  EXPECT_EQ(mid->sources.counts.malformed, 0);
  append(fx.file, l.substr(half));
  SnapshotPtr b = wait_for(w, mid, [](const Snapshot& s) { return s.range_responses == 2; });
  EXPECT_EQ(b->range_responses, 2);
  EXPECT_EQ(b->sources.counts.malformed, 0);
  EXPECT_EQ(b->range_tokens, 1110 + 1310);
}

// Rule: a run recorded by another process (`costdeck record`) shows up via data_version.
TEST(LiveWorker, RecordedRunArrivesThroughDataVersion) {
  Fixture fx;
  append(fx.file, line("m1", "2026-01-01T11:50:00Z", 100));
  Worker w(fx.opts);
  w.start(today_utc());
  SnapshotPtr a = w.wait_newer(0, 20s);
  ASSERT_TRUE(a && a->ready);
  EXPECT_EQ(a->runs_in_range, 0);
  auto t0 = std::chrono::steady_clock::now();
  auto r = costdeck::test::run_costdeck("record -q --db '" + fx.opts.db_path +
                                        "' --id run-1 --title 'Fix the cron' --tier premium --model "
                                        "claude-opus-4-5 --started 2026-01-01T11:00:00Z --duration-ms 60000 "
                                        "--tokens-in 100 --tokens-out 50");
  ASSERT_EQ(r.status, 0) << r.out;
  SnapshotPtr b = wait_for(w, a, [](const Snapshot& s) { return s.runs_in_range == 1; });
  EXPECT_EQ(b->runs_in_range, 1);
  std::printf("[ info ] record -> snapshot: %.0f ms (includes the record process)\n", ms_since(t0));
  ASSERT_FALSE(b->activity.empty());
  EXPECT_EQ(b->activity.front().title, "Fix the cron");
}

// Rule: live sessions, the current block against a configured limit, and budget statuses
// are in the snapshot.
TEST(LiveWorker, LiveDataInTheSnapshot) {
  Fixture fx;
  append(fx.file, line("m1", "2026-01-01T10:10:00Z", 1000) + line("m2", "2026-01-01T11:10:00Z", 1000) +
                      line("m3", "2026-01-01T11:58:00Z", 1000));
  live::Budget block;
  block.unit = live::BudgetUnit::Tokens;
  block.period = live::BudgetPeriod::Block;
  block.limit = 20000;
  live::Budget day;
  day.unit = live::BudgetUnit::Tokens;
  day.period = live::BudgetPeriod::Day;
  day.limit = 4000;
  fx.opts.config.budgets = {block, day};
  Worker w(fx.opts);
  SnapshotPtr s = w.build_once(today_utc());
  const live::LiveData& l = s->live;
  ASSERT_TRUE(l.built);
  ASSERT_EQ(l.sessions.size(), 1u);
  EXPECT_EQ(l.sessions[0].project, "/w/app");
  EXPECT_EQ(l.sessions[0].responses, 3);
  EXPECT_EQ(l.today_tokens, 3 * 2010);
  ASSERT_TRUE(l.current.active);
  EXPECT_EQ(l.current.block.start_ms, kNow - 2 * live::kHourMs);  // 10:00, the hour of the first message
  EXPECT_TRUE(l.current.limit_configured);
  EXPECT_EQ(l.current.limit_tokens, 20000);
  ASSERT_TRUE(l.current.block.projection);
  EXPECT_NEAR(l.current.used_fraction, 6030.0 / 20000.0, 1e-9);
  EXPECT_GT(l.current.projected_fraction, l.current.used_fraction);
  ASSERT_EQ(l.recent_blocks.size(), 1u);
  EXPECT_TRUE(l.recent_blocks[0].active);
  ASSERT_EQ(l.budgets.size(), 2u);
  EXPECT_DOUBLE_EQ(l.budgets[1].used, 3 * 2010);
  EXPECT_EQ(l.budgets[1].status, live::LimitStatus::Exceeded);
}

// Rule: a crossing is reported once (fake notifier), not again on later passes, refreshes
// or filter changes; the next threshold is a new crossing.
TEST(LiveWorker, BudgetCrossingFiresOnce) {
  Fixture fx;
  live::Budget bud;
  bud.name = "tokens today";
  bud.unit = live::BudgetUnit::Tokens;
  bud.period = live::BudgetPeriod::Day;
  bud.limit = 10000;
  bud.command = "true";
  fx.opts.config.budgets = {bud};
  std::mutex mu;
  std::vector<live::BudgetNotice> fired;
  fx.opts.on_notice = [&](const live::BudgetNotice& n) {
    std::lock_guard<std::mutex> lk(mu);
    fired.push_back(n);
  };
  auto count = [&] {
    std::lock_guard<std::mutex> lk(mu);
    return fired.size();
  };
  append(fx.file, line("m1", "2026-01-01T11:00:00Z", 100));  // 1,110 tokens: 11%
  Worker w(fx.opts);
  ViewFilter f = today_utc();
  w.start(f);
  SnapshotPtr a = w.wait_newer(0, 20s);
  ASSERT_TRUE(a && a->ready);
  EXPECT_EQ(count(), 0u);
  append(fx.file, line("m2", "2026-01-01T11:10:00Z", 7000));  // 9,230: 92%
  SnapshotPtr b = wait_for(w, a, [](const Snapshot& s) { return s.range_responses == 2; });
  ASSERT_EQ(count(), 1u);
  EXPECT_DOUBLE_EQ(fired[0].threshold, 0.8);
  EXPECT_EQ(fired[0].budget_name, "tokens today");
  EXPECT_EQ(fired[0].command, "true");
  ASSERT_EQ(b->live.notices.size(), 1u);
  EXPECT_EQ(b->live.notices[0].id, fired[0].id);
  // More passes over the same data: nothing new.
  w.refresh_now();
  f.range = RangeKind::Days7;
  w.request(f);
  SnapshotPtr c = wait_for(w, b, [](const Snapshot& s) { return s.filter.range == RangeKind::Days7; });
  w.refresh_now();
  w.wait_newer(c->version, 500ms);
  EXPECT_EQ(count(), 1u);
  append(fx.file, line("m3", "2026-01-01T11:20:00Z", 2000));  // 12,240: 122%
  SnapshotPtr d = wait_for(w, c, [](const Snapshot& s) { return s.live.notices.size() == 2; });
  ASSERT_EQ(count(), 2u);
  EXPECT_DOUBLE_EQ(fired[1].threshold, 1.0);
  EXPECT_EQ(fired[1].status, live::LimitStatus::Exceeded);
  EXPECT_EQ(d->live.notices.size(), 2u);
}

// Rule: Settings' save goes through the worker: the file is written, the budgets apply.
TEST(LiveWorker, SaveConfigWritesTheFileAndApplies) {
  Fixture fx;
  append(fx.file, line("m1", "2026-01-01T11:00:00Z", 100));
  Worker w(fx.opts);
  w.start(today_utc());
  SnapshotPtr a = w.wait_newer(0, 20s);
  ASSERT_TRUE(a && a->ready);
  EXPECT_TRUE(a->live.budgets.empty());
  EXPECT_EQ(a->live.config_path, fx.opts.config_path);
  Config c = fx.opts.config;
  live::Budget b;
  b.unit = live::BudgetUnit::Usd;
  b.period = live::BudgetPeriod::Week;
  b.limit = 25;
  b.tier = "premium";
  c.budgets.push_back(b);
  w.save_config(c);
  SnapshotPtr s = wait_for(w, a, [](const Snapshot& x) { return !x.live.budgets.empty(); });
  ASSERT_EQ(s->live.budgets.size(), 1u);
  EXPECT_EQ(s->live.budgets[0].budget.tier, "premium");
  EXPECT_FALSE(s->live.config_error);
  EXPECT_NE(s->live.config_message.find("Saved"), std::string::npos);
  Config back = load_config(fx.opts.config_path);
  ASSERT_EQ(back.budgets.size(), 1u);
  EXPECT_EQ(back.budgets[0].period, live::BudgetPeriod::Week);
  EXPECT_DOUBLE_EQ(back.budgets[0].limit, 25);
}

// Rule: the status line reads only the hook's transcript_path (not every session file);
// --all-files scans them all.
TEST(Statusline, ReadsOnlyTheHooksTranscript) {
  auto dir = costdeck::test::temp_dir("statusline-fast");
  fs::path a = dir / "claude/projects/-w-app/sa.jsonl";
  fs::path b = dir / "claude/projects/-w-other/sb.jsonl";
  fs::create_directories(a.parent_path());
  fs::create_directories(b.parent_path());
  append(a, line("a1", "2026-01-01T11:00:00Z", 1000, "sa"));
  append(b, line("b1", "2026-01-01T11:10:00Z", 1000, "sb"));
  const std::string common = " --db '" + (dir / "s.db").string() + "' --claude-dir '" +
                             (dir / "claude").string() + "' --codex-dir '" + (dir / "codex").string() +
                             "' -z UTC --now 2026-01-01T12:00:00Z";
  const std::string hook = R"({"session_id":"sa","transcript_path":")" + a.string() + R"("})";
  auto r = costdeck::test::run_costdeck("statusline" + common, hook);
  ASSERT_EQ(r.status, 0) << r.out;
  // sonnet-4-5: 10 in, 1000 out, 1000 cache read = $0.01533 per response.
  EXPECT_NE(r.out.find("$0.02 session / $0.02 today"), std::string::npos) << r.out;
  r = costdeck::test::run_costdeck("statusline --all-files" + common, hook);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("$0.02 session / $0.03 today"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

// Rule: only session files (.jsonl) and folders wake the worker, not the other files agents
// keep under their roots.
TEST(LiveWatcher, OtherFilesDoNotWake) {
  auto root = costdeck::test::temp_dir("watch-filter");
  fs::create_directories(root / "projects/-w-app");
  append(root / "projects/-w-app/s.jsonl", "{}\n");
  live::FileWatcher w({root.string()});
  ASSERT_TRUE(w.using_inotify());
  append(root / "debug.log", "noise\n");
  append(root / "projects/-w-app/notes.txt", "noise\n");
  EXPECT_EQ(w.wait(300ms), live::FileWatcher::Wake::Timeout);
  append(root / "projects/-w-app/s.jsonl", "{}\n");
  EXPECT_EQ(w.wait(2000ms), live::FileWatcher::Wake::Changed);
  fs::remove_all(root);
}

// Rule: a crossing raises a desktop notification through the notify-send found on PATH
// (here a stand-in that records its arguments), critical at 100 %.
TEST(Notify, DesktopNotificationGoesThroughNotifySend) {
  auto dir = costdeck::test::temp_dir("notify-send");
  const fs::path out = dir / "args.txt";
  const fs::path fake = dir / "notify-send";
  {
    std::ofstream script(fake);
    script << "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" << out.string()
           << ".tmp' && mv '" << out.string() << ".tmp' '" << out.string() << "'\n";
  }
  fs::permissions(fake, fs::perms::owner_all);
  const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", (dir.string() + ":" + old_path).c_str(), 1);
  live::BudgetNotice n;
  n.budget_name = "overall / day";
  n.title = "costdeck: budget overall / day exceeded";
  n.body = "$12.40 of $12.00 (103%)";
  n.threshold = 1.0;
  app::NotifyOptions no;
  no.commands = false;
  const int started = app::notify_crossing(n, no);
  ::setenv("PATH", old_path.c_str(), 1);
  ASSERT_EQ(started, 1);
  const auto end = std::chrono::steady_clock::now() + 20s;
  while (!fs::exists(out) && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(fs::exists(out));
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text,
            "--app-name=costdeck\n--urgency=critical\ncostdeck: budget overall / day exceeded\n$12.40 of "
            "$12.00 (103%)\n");
  fs::remove_all(dir);
}

// Rule: the budget's command runs detached, with the figures in COSTDECK_BUDGET_* variables.
TEST(Notify, CommandGetsTheBudgetInTheEnvironment) {
  auto dir = costdeck::test::temp_dir("notify");
  live::BudgetNotice n;
  n.budget_name = "tier premium / day";
  n.unit = live::BudgetUnit::Usd;
  n.used = 9.6;
  n.limit = 12;
  n.fraction = 0.8;
  n.projected = 14.25;
  n.threshold = 0.8;
  n.status = live::LimitStatus::Warning;
  const fs::path out = dir / "env.txt";
  n.command =
      "printf '%s|%s|%s|%s|%s' \"$COSTDECK_BUDGET_NAME\" \"$COSTDECK_BUDGET_USED\" "
      "\"$COSTDECK_BUDGET_LIMIT\" "
      "\"$COSTDECK_BUDGET_PERCENT\" \"$COSTDECK_BUDGET_STATUS\" > '" +
      out.string() + ".tmp' && mv '" + out.string() + ".tmp' '" + out.string() + "'";
  app::NotifyOptions no;
  no.desktop = false;
  ASSERT_EQ(app::notify_crossing(n, no), 1);
  const auto end = std::chrono::steady_clock::now() + 20s;
  while (!fs::exists(out) && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(fs::exists(out));
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "tier premium / day|9.60|12.00|80.0|warning");
  fs::remove_all(dir);
}

// Rule: a snapshot keeps the last one's issues and errors reports only when the runs the
// patch replaced or added touch neither; whatever it keeps or rebuilds equals what a fresh
// worker builds from the same store.
TEST(LiveWorker, RunReportsAreKeptOnlyWhenTheirRowsAreUntouched) {
  Fixture fx;
  append(fx.file, line("m1", "2026-01-01T11:50:00Z", 100));
  auto record = [&](const std::string& args, int tokens_out = 50) {
    auto r = costdeck::test::run_costdeck("record -q --db '" + fx.opts.db_path +
                                          "' --model claude-opus-4-5 --duration-ms 60000 --tokens-in 100 " +
                                          "--tokens-out " + std::to_string(tokens_out) + " " + args);
    ASSERT_EQ(r.status, 0) << r.out;
  };
  record(
      "--id a1 --issue ISS-1 --session sa --started 2026-01-01T09:00:00Z --status error --error 'Exit code "
      "2'");
  record("--id a2 --issue ISS-2 --session sb --started 2026-01-01T09:30:00Z");
  ViewFilter all = today_utc();
  all.range = RangeKind::All;
  Worker w(fx.opts);
  w.start(all);
  SnapshotPtr a = wait_for(w, w.wait_newer(0, 20s), [](const Snapshot& s) { return s.runs_in_range == 2; });
  ASSERT_EQ(a->issues->size(), 2u);
  ASSERT_EQ(a->errors->total, 1);

  // Records a run and waits for the snapshot that shows it.
  auto step = [&](const SnapshotPtr& from, const std::string& args, auto shows) {
    record(args);
    return wait_for(w, from, shows);
  };
  auto runs_are = [](std::int64_t n) { return [n](const Snapshot& s) { return s.runs_in_range == n; }; };
  auto fresh = [&]() {
    WorkerOptions o = fx.opts;
    Worker other(o);
    return other.build_once(all);
  };
  auto same_issues = [](const Snapshot& x, const Snapshot& y) {
    if (x.issues->size() != y.issues->size()) return false;
    for (std::size_t i = 0; i < x.issues->size(); ++i) {
      const auto &p = (*x.issues)[i], &q = (*y.issues)[i];
      if (p.issue != q.issue || p.runs != q.runs || p.cost != q.cost ||
          p.sessions.size() != q.sessions.size())
        return false;
    }
    return true;
  };

  // A run with no issue and no error: both reports are the last snapshot's, shared.
  SnapshotPtr b = step(a, "--id b1 --session sc --started 2026-01-01T10:00:00Z", runs_are(3));
  ASSERT_EQ(b->runs_in_range, 3);
  EXPECT_EQ(&*b->issues, &*a->issues);
  EXPECT_EQ(&*b->errors, &*a->errors);
  EXPECT_TRUE(same_issues(*b, *fresh()));

  // A run of ISS-1: issues rebuilt (ISS-1 now has two runs), errors kept.
  SnapshotPtr c = step(b, "--id c1 --issue ISS-1 --session sa --started 2026-01-01T10:30:00Z", runs_are(4));
  ASSERT_EQ(c->runs_in_range, 4);
  EXPECT_NE(&*c->issues, &*b->issues);
  EXPECT_EQ(&*c->errors, &*b->errors);
  EXPECT_TRUE(same_issues(*c, *fresh()));
  const auto& iss1 = (*c->issues)[0].issue == "ISS-1" ? (*c->issues)[0] : (*c->issues)[1];
  EXPECT_EQ(iss1.runs, 2);

  // A failed run without an issue: errors rebuilt, issues kept.
  SnapshotPtr d =
      step(c, "--id d1 --session sd --started 2026-01-01T11:00:00Z --status error --error 'Exit code 3'",
           runs_are(5));
  ASSERT_EQ(d->runs_in_range, 5);
  EXPECT_EQ(&*d->issues, &*c->issues);
  EXPECT_NE(&*d->errors, &*c->errors);
  EXPECT_EQ(d->errors->total, 2);

  // The issue's failed run is rewritten as a success: errors rebuilt; the issues report does
  // not read a run's status, so it stays.
  SnapshotPtr e =
      step(d, "--id a1 --issue ISS-1 --session sa --started 2026-01-01T09:00:00Z --status success",
           [](const Snapshot& s) { return s.errors->total == 1; });
  EXPECT_EQ(e->errors->total, 1);
  EXPECT_EQ(&*e->issues, &*d->issues);
  EXPECT_TRUE(same_issues(*e, *fresh()));

  // ISS-2's run is rewritten with more tokens (a higher cost): issues rebuilt.
  auto cost_of_iss2 = [](const Snapshot& s) {
    for (const auto& i : *s.issues)
      if (i.issue == "ISS-2") return i.cost;
    return 0.0;
  };
  const double iss2_cost = cost_of_iss2(*e);
  record("--id a2 --issue ISS-2 --session sb --started 2026-01-01T09:30:00Z", 5000);
  SnapshotPtr g = wait_for(w, e, [&](const Snapshot& s) { return cost_of_iss2(s) > iss2_cost; });
  EXPECT_GT(cost_of_iss2(*g), iss2_cost);
  EXPECT_NE(&*g->issues, &*e->issues);
  EXPECT_EQ(&*g->errors, &*e->errors);
  EXPECT_TRUE(same_issues(*g, *fresh()));
}
