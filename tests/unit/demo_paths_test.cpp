// Demo data paths: every demo gets a folder of its own (two at once never collide), and the
// views show the paths under it from a fixed root, so they read the same on every run.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "core/demo_data.hpp"
#include "core/worker.hpp"
#include "panels/views.hpp"

using namespace costdeck;
namespace fs = std::filesystem;

namespace {

const std::int64_t kNow = 1'768'489'200'000;  // 2026-01-15T15:00:00Z

SnapshotPtr build(const demo::DemoData& d) {
  WorkerOptions o;
  o.db_path = d.db_path;
  o.claude_dirs = {d.claude_dir};
  o.codex_dirs = {d.codex_dir};
  o.config = d.config;
  o.config_path = d.root + "/config.json";  // as `costdeck --demo` sets it
  o.pinned_now_ms = kNow;
  o.demo = true;
  Worker w(o);
  ViewFilter f;
  f.timezone = "UTC";
  return w.build_once(f);
}

// Every path the Sources and Settings views show, as they show it.
std::vector<std::string> shown_paths(const Snapshot& s) {
  std::vector<std::string> v{ui::shown_path(s, s.sources.db_path), ui::shown_path(s, s.live.config_path)};
  for (const auto& r : s.sources.roots) v.push_back(ui::shown_path(s, r));
  for (const auto& f : s.sources.files) v.push_back(ui::shown_path(s, f.path));
  return v;
}

}  // namespace

TEST(ShownPath, NamesTheDemoFolderByAFixedRoot) {
  Snapshot s;
  s.demo = true;
  s.sources.db_path = "/tmp/costdeck-demo-Ab12Cd/demo.db";
  EXPECT_EQ(ui::shown_path(s, "/tmp/costdeck-demo-Ab12Cd/claude/projects/x.jsonl"),
            "<demo>/claude/projects/x.jsonl");
  EXPECT_EQ(ui::shown_path(s, s.sources.db_path), "<demo>/demo.db");
  // Messages that hold the path (the config save) read the same way.
  EXPECT_EQ(ui::shown_path(s, "Saved to /tmp/costdeck-demo-Ab12Cd/config.json"),
            "Saved to <demo>/config.json");
  // Other folders, including one whose name merely starts the same, are left alone.
  EXPECT_EQ(ui::shown_path(s, "/tmp/costdeck-demo-Ab12Cdx/demo.db"), "/tmp/costdeck-demo-Ab12Cdx/demo.db");
  EXPECT_EQ(ui::shown_path(s, "/home/dev/.claude"), "/home/dev/.claude");
  // Real data is shown as it is.
  s.demo = false;
  EXPECT_EQ(ui::shown_path(s, "/tmp/costdeck-demo-Ab12Cd/demo.db"), "/tmp/costdeck-demo-Ab12Cd/demo.db");
}

// Two demos written at the same moment (as parallel tests do): separate folders, each with
// its store at the root, and the views show the very same paths for both.
TEST(DemoPaths, TwoAtOnceDoNotCollideAndShowTheSamePaths) {
  demo::DemoOptions d;
  d.now_ms = kNow;
  auto a = std::async(std::launch::async, [&] { return demo::write_demo(d); });
  auto b = std::async(std::launch::async, [&] { return demo::write_demo(d); });
  const demo::DemoData da = a.get(), db = b.get();
  EXPECT_NE(da.root, db.root);
  for (const auto* x : {&da, &db}) {
    EXPECT_EQ(fs::path(x->db_path).parent_path(), fs::path(x->root))
        << "views find the folder from the store";
    EXPECT_EQ(fs::path(x->claude_dir).parent_path(), fs::path(x->root));
    EXPECT_EQ(fs::path(x->codex_dir).parent_path(), fs::path(x->root));
  }
  SnapshotPtr sa = build(da), sb = build(db);
  ASSERT_TRUE(sa && sb);
  ASSERT_GT(sa->sources.files.size(), 20u);
  const auto pa = shown_paths(*sa), pb = shown_paths(*sb);
  EXPECT_EQ(pa, pb);
  for (const auto& p : pa) {
    EXPECT_EQ(p.find(da.root), std::string::npos) << p;
    EXPECT_EQ(p.rfind("<demo>/", 0), 0u) << p;
  }
  fs::remove_all(da.root);
  fs::remove_all(db.root);
}
