// The Live view, the compact window and Settings drawn headless on demo data plus one
// session that is answering right now: the PNGs have real content (the block chart's
// colours, many shades), the panels, tables and figures the views promise exist, and a
// budget crossing shows a notice until it is dismissed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "app/headless_shot.hpp"
#include "core/demo_data.hpp"
#include "core/worker.hpp"
#include "image_checks.hpp"
#include "panels/chart.hpp"

using namespace costdeck;
namespace fs = std::filesystem;

using namespace costdeck::test;

namespace {

const std::int64_t kNow = 1'768'489'200'000;  // 2026-01-15T15:00:00Z

// A session answering in the last minutes, so the live cards have something to show.
void write_live_session(const std::string& claude_dir) {
  fs::path f = fs::path(claude_dir) / "projects/-home-dev-live-demo/live-session.jsonl";
  fs::create_directories(f.parent_path());
  std::ofstream out(f);
  const char* times[] = {"2026-01-15T14:20:00Z", "2026-01-15T14:41:00Z", "2026-01-15T14:58:30Z"};
  int i = 0;
  for (const char* ts : times) {
    out << R"({"type":"assistant","sessionId":"live-1","cwd":"/home/dev/live-demo","timestamp":")" << ts
        << R"(","requestId":"req_live)" << i << R"(","message":{"id":"msg_live)" << i
        << R"(","model":"claude-opus-4-5-20251101","usage":{"input_tokens":40,"output_tokens":2500,)"
        << R"("cache_creation_input_tokens":6000,"cache_read_input_tokens":90000}}})"
        << "\n";
    ++i;
  }
}

struct Env {
  std::unique_ptr<app::HeadlessGl> gl;
  std::string gl_error;
  demo::DemoData data;
  SnapshotPtr snap;
};

Env& env() {
  static Env* e = [] {
    auto* e = new Env;
    e->gl = app::HeadlessGl::create(&e->gl_error);
    demo::DemoOptions d;
    d.now_ms = kNow;
    e->data = demo::write_demo(d);
    write_live_session(e->data.claude_dir);
    WorkerOptions o;
    o.db_path = e->data.db_path;
    o.claude_dirs = {e->data.claude_dir};
    o.codex_dirs = {e->data.codex_dir};
    o.config = e->data.config;
    // An overall day budget the demo's day crosses (80%), so a notice exists.
    live::Budget day;
    day.unit = live::BudgetUnit::Usd;
    day.period = live::BudgetPeriod::Day;
    day.limit = 3.5;
    o.config.budgets.insert(o.config.budgets.begin(), day);
    o.config_path = e->data.root + "/config.json";
    o.pinned_now_ms = kNow;
    o.demo = true;
    Worker w(o);
    ViewFilter f;
    f.timezone = "UTC";
    e->snap = w.build_once(f);
    return e;
  }();
  return *e;
}

// Orange-ish pixels (the current block's bar), whatever the exact shade of the theme.
std::size_t count_orange(const app::Image& img) {
  std::size_t n = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      std::uint32_t p = img.pixel(x, y);
      int r = p & 0xFF, g = (p >> 8) & 0xFF, b = (p >> 16) & 0xFF;
      if (r > 200 && g > 80 && g < 150 && b < 70) ++n;
    }
  return n;
}

bool has_text(const ui::FrameRegistry& reg, const std::string& t) {
  return std::find(reg.texts.begin(), reg.texts.end(), t) != reg.texts.end();
}

app::Image render(ui::View v, ui::FrameRegistry* reg, bool compact = false, bool notices = false,
                  int w = 1280, int h = 860) {
  app::ShotOptions so;
  so.width = w;
  so.height = h;
  so.view = v;
  ui::AppState st;
  st.filter = env().snap->filter;
  st.now_ms = kNow;
  st.compact = compact;
  st.headless_notices = notices;
  return app::render_app(*env().snap, st, so, reg);
}

}  // namespace

// Rule: the snapshot the views draw has a live session, an active block and the budgets.
TEST(LiveViews, SnapshotHasLiveData) {
  ASSERT_TRUE(env().snap && env().snap->ready);
  const live::LiveData& l = env().snap->live;
  ASSERT_FALSE(l.sessions.empty());
  EXPECT_TRUE(std::any_of(l.sessions.begin(), l.sessions.end(),
                          [](const auto& x) { return x.session_id == "live-1"; }));
  EXPECT_TRUE(l.current.active);
  EXPECT_GT(l.current.limit_tokens, 0);
  EXPECT_FALSE(l.recent_blocks.empty());
  EXPECT_EQ(l.budgets.size(), env().data.config.budgets.size() + 1);
}

// Rule: Live draws its four panels, the live session's cost, and the block chart's colours.
TEST(LiveViews, LiveView) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  ui::FrameRegistry reg;
  app::Image img = render(ui::View::Live, &reg);
  save(img, "view-live");
  EXPECT_GT(distinct_colours(img), 60u);
  for (const auto& id : ui::panel_ids(ui::View::Live))
    EXPECT_TRUE(reg.has_panel(id)) << "missing panel " << id;
  const auto& l = env().snap->live;
  EXPECT_TRUE(has_text(reg, chart::format_usd(l.sessions.front().cost_usd)));
  EXPECT_TRUE(has_text(reg, chart::format_usd(l.current.block.cost_usd)));
  for (const auto& b : l.budgets) EXPECT_TRUE(has_text(reg, live::budget_display_name(b.budget)));
  // Past blocks in the first series colour, the current one in orange.
  EXPECT_GT(count_colour(img, ui::series_color(0)), 2000u);
  EXPECT_GT(count_orange(img), 1000u);
  EXPECT_FALSE(reg.has_panel("toast")) << "notices hidden unless asked";
}

// Rule: the compact window is its own layout: no sidebar, today's cost, sessions, block, budgets.
TEST(LiveViews, CompactWindow) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  ui::FrameRegistry reg;
  app::Image img = render(ui::View::Live, &reg, true, false, 360, 560);
  save(img, "compact");
  ASSERT_EQ(img.width, 360);
  EXPECT_GT(distinct_colours(img), 40u);
  for (const char* id : {"compact.today", "compact.sessions", "compact.block", "compact.budgets"})
    EXPECT_TRUE(reg.has_panel(id)) << id;
  EXPECT_FALSE(reg.has_panel("live.sessions"));
  const auto& l = env().snap->live;
  EXPECT_TRUE(has_text(reg, chart::format_usd(l.today_cost)));
  EXPECT_TRUE(has_text(reg, chart::format_usd(l.sessions.front().cost_usd)));
  // The tier budgets each have their bar (the overall one is left out when tiers exist).
  for (const auto& b : l.budgets)
    if (!b.budget.tier.empty()) {
      EXPECT_TRUE(has_text(reg, live::budget_display_name(b.budget)));
    }
  // Nothing is cut off below the fold at the default size: every card, and every tier
  // budget's row (name, amount, bar, status), lies inside what the window shows.
  for (const char* id : {"compact.today", "compact.sessions", "compact.block", "compact.budgets"}) {
    const ui::NotedRect* r = reg.rect(id);
    ASSERT_NE(r, nullptr) << id;
    EXPECT_TRUE(r->fully_visible()) << id << " ends at y " << r->max.y << ", visible to " << r->clip_max.y;
    EXPECT_LE(r->max.y, img.height) << id;
  }
  std::size_t rows = 0;
  for (const auto& b : l.budgets) {
    if (b.budget.tier.empty()) continue;
    ++rows;
    const std::string name = live::budget_display_name(b.budget);
    const ui::NotedRect* r = reg.rect("budget:" + name);
    ASSERT_NE(r, nullptr) << name;
    EXPECT_TRUE(r->fully_visible()) << name << " ends at y " << r->max.y << ", visible to " << r->clip_max.y;
    EXPECT_LE(r->max.y, reg.rect("compact.budgets")->max.y) << name;
  }
  EXPECT_GE(rows, 3u) << "the demo has three tier budgets";
}

// Rule: a compact window shorter than its content scrolls; the budgets card is never
// squeezed so that its last rows are cut off inside it.
TEST(LiveViews, CompactWindowShortScrolls) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  ui::FrameRegistry reg;
  app::Image img = render(ui::View::Live, &reg, true, false, 360, 400);
  save(img, "compact-short");
  const ui::NotedRect* panel = reg.rect("compact.budgets");
  ASSERT_NE(panel, nullptr);
  EXPECT_GT(panel->max.y, img.height) << "the card continues below the window";
  for (const auto& b : env().snap->live.budgets) {
    if (b.budget.tier.empty()) continue;
    const ui::NotedRect* r = reg.rect("budget:" + live::budget_display_name(b.budget));
    ASSERT_NE(r, nullptr);
    EXPECT_LE(r->max.y, panel->max.y) << live::budget_display_name(b.budget) << " is cut off inside its card";
  }
}

// Rule: Settings lists the configured budgets in a table, with the form and appearance panels.
TEST(LiveViews, SettingsView) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  ui::FrameRegistry reg;
  app::Image img = render(ui::View::Settings, &reg);
  save(img, "view-settings");
  EXPECT_GT(distinct_colours(img), 40u);
  for (const auto& id : ui::panel_ids(ui::View::Settings)) EXPECT_TRUE(reg.has_panel(id)) << id;
  EXPECT_TRUE(reg.has_table("budgets_table"));
  for (const auto& b : env().snap->live.budgets)
    EXPECT_TRUE(has_text(reg, live::budget_display_name(b.budget)));
  // The demo's config file, in its randomly named folder, is shown from a fixed root.
  EXPECT_TRUE(has_text(reg, "config: <demo>/config.json"));
}

// Rule: a budget crossing shows a notice over any view until its id is dismissed.
TEST(LiveViews, NoticeToast) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  const auto& ns = env().snap->live.notices;
  ASSERT_FALSE(ns.empty()) << "the overall day budget is crossed";
  ui::FrameRegistry reg;
  app::Image img = render(ui::View::Dashboard, &reg, false, true);
  save(img, "toast");
  EXPECT_TRUE(reg.has_panel("toast"));
  EXPECT_TRUE(has_text(reg, ns.back().title));
  // Dismissed (seen up to the newest id): gone.
  app::ShotOptions so;
  so.width = 1280;
  so.height = 860;
  ui::AppState st;
  st.filter = env().snap->filter;
  st.headless_notices = true;
  st.notices_seen = ns.back().id;
  app::render_app(*env().snap, st, so, &reg);
  EXPECT_FALSE(reg.has_panel("toast"));
}

// Rule: the screenshot command draws the compact window and the new views headless.
TEST(LiveViews, ScreenshotCommand) {
  fs::path tmp = fs::temp_directory_path() / ("costdeck-live-shot-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  for (const char* view : {"live", "settings", "compact"}) {
    fs::path out = tmp / (std::string(view) + ".png");
    std::string cmd = std::string("env -u DISPLAY ") + COSTDECK_BINARY +
                      " screenshot --demo --now 2026-01-15T15:00:00Z --timezone UTC --view " + view +
                      " --out " + out.string() + " 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << view;
    EXPECT_GT(fs::file_size(out), 5000u) << view;
  }
  fs::remove_all(tmp);
}
