// The worker: first ingest -> snapshot; an appended line reaches a newer snapshot; the
// demo data fills every part of the snapshot the views read.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/demo_data.hpp"
#include "core/worker.hpp"

using namespace costdeck;
namespace fs = std::filesystem;

namespace {

std::string assistant_line(const std::string& msg_id, const char* ts, int output) {
  return std::string(R"({"type":"assistant","sessionId":"s1","cwd":"/w/app","timestamp":")") + ts +
         R"(","requestId":"req_)" + msg_id + R"(","message":{"id":")" + msg_id +
         R"(","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10,"output_tokens":)" +
         std::to_string(output) + R"(,"cache_read_input_tokens":1000}}})" + "\n";
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("costdeck-worker-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

const std::int64_t kNow = 1'767'268'800'000;  // 2026-01-01T12:00:00Z

}  // namespace

// A line appended to a session file while the worker runs shows up in a newer snapshot.
TEST(Worker, AppendedLineReachesANewSnapshot) {
  TempDir tmp;
  fs::path file = tmp.path / "claude/projects/-w-app/s1.jsonl";
  fs::create_directories(file.parent_path());
  { std::ofstream(file) << assistant_line("m1", "2026-01-01T10:00:00Z", 100); }
  WorkerOptions o;
  o.db_path = (tmp.path / "t.db").string();
  o.claude_dirs = {(tmp.path / "claude").string()};
  o.codex_dirs = {(tmp.path / "codex").string()};
  o.pinned_now_ms = kNow;
  o.refresh = std::chrono::milliseconds(50);
  Worker w(o);
  std::atomic<int> wakes = 0;  // the worker calls it from its own thread
  w.set_wake([&] { ++wakes; });
  ViewFilter f;
  f.timezone = "UTC";
  f.range = RangeKind::Today;
  w.start(f);
  SnapshotPtr first = w.wait_newer(0, std::chrono::seconds(20));
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->ready);
  EXPECT_EQ(first->range_responses, 1);
  // The wake-up follows the publication; give it a moment rather than racing it.
  for (int i = 0; i < 200 && wakes == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GT(wakes, 0);

  { std::ofstream(file, std::ios::app) << assistant_line("m2", "2026-01-01T11:00:00Z", 200); }
  w.refresh_now();
  SnapshotPtr second = w.wait_newer(first->version, std::chrono::seconds(20));
  ASSERT_TRUE(second);
  EXPECT_GT(second->version, first->version);
  EXPECT_EQ(second->range_responses, 2);
  EXPECT_EQ(second->sessions.size(), 1u);
  w.stop();
}

// Nothing changed and the same filter: no new snapshot (the window stays idle).
TEST(Worker, NoNewSnapshotWithoutChange) {
  TempDir tmp;
  WorkerOptions o;
  o.db_path = (tmp.path / "t.db").string();
  o.claude_dirs = {(tmp.path / "none").string()};
  o.codex_dirs = {(tmp.path / "none2").string()};
  o.pinned_now_ms = kNow;
  o.refresh = std::chrono::milliseconds(20);
  Worker w(o);
  ViewFilter f;
  f.timezone = "UTC";
  w.start(f);
  SnapshotPtr a = w.wait_newer(0, std::chrono::seconds(20));
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->first_run) << "no data anywhere: the first-run screen";
  SnapshotPtr b = w.wait_newer(a->version, std::chrono::milliseconds(300));
  EXPECT_EQ(b->version, a->version);
  // A new filter does produce one.
  f.range = RangeKind::Days7;
  w.request(f);
  SnapshotPtr c = w.wait_newer(a->version, std::chrono::seconds(20));
  EXPECT_GT(c->version, a->version);
  EXPECT_EQ(c->filter.range, RangeKind::Days7);
}

// The demo fills what every view reads, and is the same for the same clock and seed.
TEST(Worker, DemoDataFillsTheSnapshot) {
  demo::DemoOptions d;
  d.now_ms = kNow;
  demo::DemoData data = demo::write_demo(d);
  WorkerOptions o;
  o.db_path = data.db_path;
  o.claude_dirs = {data.claude_dir};
  o.codex_dirs = {data.codex_dir};
  o.config = data.config;
  o.pinned_now_ms = kNow;
  o.demo = true;
  Worker w(o);
  ViewFilter f;
  f.timezone = "UTC";
  SnapshotPtr s = w.build_once(f);
  ASSERT_TRUE(s);
  EXPECT_GT(s->range_cost, 10.0);
  EXPECT_GE(s->by_model.rows.size(), 3u);
  EXPECT_EQ(s->daily.days.size(), 30u);
  EXPECT_GT(s->sessions.size(), 20u);
  EXPECT_FALSE(s->sessions.front().timeline.empty());
  EXPECT_GE(s->tiers.tiers.size(), 3u);
  EXPECT_FALSE(s->operations.empty());
  EXPECT_FALSE(s->activity.empty());
  EXPECT_GT(s->sources.files.size(), 20u);
  EXPECT_GT(s->month.cost, 0);
  EXPECT_FALSE(s->first_run);

  demo::DemoData again = demo::write_demo(d);
  WorkerOptions o2 = o;
  o2.db_path = again.db_path;
  o2.claude_dirs = {again.claude_dir};
  o2.codex_dirs = {again.codex_dir};
  Worker w2(o2);
  SnapshotPtr s2 = w2.build_once(f);
  EXPECT_DOUBLE_EQ(s2->range_cost, s->range_cost);
  EXPECT_EQ(s2->sessions.size(), s->sessions.size());
  fs::remove_all(data.root);
  fs::remove_all(again.root);
}

// Nothing in the demo happens after its clock: no session, run or event shows "in the future".
TEST(Worker, DemoDataEndsByItsClock) {
  demo::DemoOptions d;
  d.now_ms = kNow;
  demo::DemoData data = demo::write_demo(d);
  WorkerOptions o;
  o.db_path = data.db_path;
  o.claude_dirs = {data.claude_dir};
  o.codex_dirs = {data.codex_dir};
  o.config = data.config;
  o.pinned_now_ms = kNow;
  o.demo = true;
  Worker w(o);
  ViewFilter f;
  f.timezone = "UTC";
  SnapshotPtr s = w.build_once(f);
  ASSERT_TRUE(s);
  ASSERT_FALSE(s->sessions.empty());
  for (const auto& e : s->sessions) EXPECT_LE(e.row.last_ms, kNow) << e.row.key;
  ASSERT_FALSE(s->events.empty());
  for (const auto& e : s->events) {
    EXPECT_LE(e.run.started_ms, kNow) << e.run.key;
    if (e.run.duration_ms > 0) {
      EXPECT_LE(e.run.started_ms + e.run.duration_ms, kNow) << e.run.key;
    }
  }
  // Today still has its sessions, one of them live.
  EXPECT_GT(s->today.cost, 0);
  EXPECT_FALSE(s->live.sessions.empty());
  fs::remove_all(data.root);
}
