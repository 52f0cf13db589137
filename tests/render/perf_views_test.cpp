// The performance views (Performance, Runtimes, Issues, Activity) drawn headless: on demo
// data (content in the PNG, the panels and tables they promise, figures from the snapshot),
// on an empty snapshot, on a single day (hourly series), and with thousands of error
// patterns (only visible rows are submitted, the order is computed once per change).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "app/headless_shot.hpp"
#include "core/demo_data.hpp"
#include "core/worker.hpp"
#include "image_checks.hpp"
#include "panels/chart.hpp"
#include "panels/views.hpp"

using namespace costdeck;
namespace fs = std::filesystem;

using namespace costdeck::test;

namespace {

// This file's colour checks allow a wider blend than the default.
constexpr int kTolerance = 8;

const std::int64_t kNow = 1'768'489'200'000;  // 2026-01-15T15:00:00Z

struct Env {
  std::unique_ptr<app::HeadlessGl> gl;
  std::string gl_error;
  demo::DemoData data;
  SnapshotPtr month, today;
};

Env& env() {
  static Env* e = [] {
    auto* e = new Env;
    e->gl = app::HeadlessGl::create(&e->gl_error);
    demo::DemoOptions d;
    d.now_ms = kNow;
    e->data = demo::write_demo(d);
    WorkerOptions o;
    o.db_path = e->data.db_path;
    o.claude_dirs = {e->data.claude_dir};
    o.codex_dirs = {e->data.codex_dir};
    o.config = e->data.config;
    o.pinned_now_ms = kNow;
    o.demo = true;
    Worker w(o);
    ViewFilter f;
    f.timezone = "UTC";
    e->month = w.build_once(f);
    f.range = RangeKind::Today;
    e->today = w.build_once(f);
    return e;
  }();
  return *e;
}

app::Image render(const Snapshot& s, ui::View v, ui::FrameRegistry* reg, const std::string& panel = "",
                  ui::Theme theme = ui::Theme::Dark) {
  app::ShotOptions so;
  so.width = 1280;
  so.height = 860;
  so.view = v;
  so.theme = theme;
  so.panel = panel;
  ui::AppState st;
  st.filter = s.filter;
  st.now_ms = kNow;
  return app::render_app(s, st, so, reg);
}

// The palette lives in an ImGui context: read the dark one from a scratch context.
const ui::Palette& dark() {
  static ui::Palette p = [] {
    ImGuiContext* prev = ImGui::GetCurrentContext();
    ImGuiContext* c = ImGui::CreateContext();
    ImGui::SetCurrentContext(c);
    ui::apply_theme(ui::Theme::Dark, 1.0f);
    ui::Palette out = ui::palette();
    ui::forget_context(c);
    ImGui::DestroyContext(c);
    ImGui::SetCurrentContext(prev);
    return out;
  }();
  return p;
}

bool has_text(const ui::FrameRegistry& r, const std::string& t) {
  return std::find(r.texts.begin(), r.texts.end(), t) != r.texts.end();
}

std::string text_starting(const ui::FrameRegistry& r, const std::string& prefix) {
  for (const auto& t : r.texts)
    if (t.rfind(prefix, 0) == 0) return t;
  return "";
}

// A snapshot of runs only (no usage), built by the same code as the worker's.
SnapshotPtr runs_snapshot(const runs::RunTable& t, RangeKind range = RangeKind::All,
                          std::uint64_t version = 7) {
  static Config cfg = default_config();
  SnapshotInputs in;
  in.runs = &t;
  in.config = &cfg;
  ViewFilter f;
  f.range = range;
  f.timezone = "UTC";
  auto s = std::make_shared<Snapshot>();
  build_snapshot(in, f, kNow, *s);
  s->version = version;
  return s;
}

// `n` error patterns that normalization keeps apart (letters only: no numbers or ids to fold).
runs::RunTable many_patterns(int n) {
  runs::RunTable t;
  t.strings = {"claude-code", "sess-a"};
  for (int i = 0; i < n; ++i) {
    runs::RunRow r;
    r.id = i + 1;
    r.key = t.add_text("r" + std::to_string(i));
    r.started_ms = kNow - 3'600'000LL * 24 * 10 + i * 60'000LL;
    r.duration_ms = 1000 + i;
    r.runtime = 0;
    r.session = 1;
    r.status = runs::RunStatus::Error;
    std::string word;
    for (int k = i; k > 0 || word.empty(); k /= 26) word += static_cast<char>('a' + k % 26);
    r.error = t.add_text("module " + word + " refused the change");
    r.title = t.add_text("task " + word);
    t.rows.push_back(std::move(r));
  }
  return t;
}

}  // namespace

class PerfViewRender : public ::testing::TestWithParam<ui::View> {};

TEST_P(PerfViewRender, DemoDataFillsEveryPanel) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  ui::FrameRegistry reg;
  app::Image img = render(*env().month, GetParam(), &reg);
  ASSERT_EQ(img.width, 1280);
  save(img, std::string("perf-view-") + ui::view_name(GetParam()));
  EXPECT_GT(distinct_colours(img), 60u);
  for (const auto& id : ui::panel_ids(GetParam())) EXPECT_TRUE(reg.has_panel(id)) << "missing panel " << id;
}

INSTANTIATE_TEST_SUITE_P(Views, PerfViewRender,
                         ::testing::Values(ui::View::Performance, ui::View::Runtimes, ui::View::Issues,
                                           ui::View::Activity),
                         [](const auto& info) { return std::string(ui::view_name(info.param)); });

// The cards print the snapshot's figures; the success line is drawn in the "good" colour.
TEST(PerformanceView, CardsChartAndTables) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  const Snapshot& s = *env().month;
  ASSERT_GT(s.perf.tasks, 100);
  ASSERT_FALSE(s.errors->patterns.empty());
  ASSERT_FALSE(s.slowest.empty());
  EXPECT_TRUE(s.perf_has_previous);
  ui::FrameRegistry reg;
  render(s, ui::View::Performance, &reg);
  EXPECT_TRUE(has_text(reg, chart::format_percent(s.perf.success_rate)));
  EXPECT_TRUE(has_text(reg, chart::format_duration_ms(s.perf.duration.avg_ms)));
  EXPECT_TRUE(has_text(reg, chart::format_count(static_cast<double>(s.perf.tasks))));
  EXPECT_TRUE(has_text(reg, chart::format_count(static_cast<double>(s.perf.errors_today))));
  EXPECT_TRUE(reg.has_table("error_patterns"));
  EXPECT_TRUE(reg.has_table("error_occurrences"));
  EXPECT_TRUE(reg.has_table("slowest_table"));
  EXPECT_TRUE(has_text(reg, s.errors->patterns.front().pattern));
  EXPECT_TRUE(has_text(reg, s.slowest.front().title));
  app::Image img = render(s, ui::View::Performance, &reg, "perf.success");
  EXPECT_EQ(reg.panels, std::vector<std::string>{"perf.success"});
  EXPECT_GT(count_colour(img, dark().good, kTolerance), 1500u) << "success line and bars";
  EXPECT_GT(count_colour(img, dark().bad, kTolerance), 50u) << "failed tasks in the bars";
  save(img, "perf-panel-success");
}

// Today only: the chart is by hour, and its points are the runs' hours.
TEST(PerformanceView, SingleDayIsHourly) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  const Snapshot& s = *env().today;
  ASSERT_FALSE(s.perf_hourly.empty());
  std::int64_t tasks = 0;
  for (const auto& h : s.perf_hourly) {
    EXPECT_EQ(h.day.substr(0, 10), "2026-01-15");
    tasks += h.tasks;
  }
  EXPECT_EQ(tasks, s.perf.tasks);
  ui::FrameRegistry reg;
  app::Image img = render(s, ui::View::Performance, &reg);
  save(img, "perf-view-performance-today");
  EXPECT_TRUE(reg.has_panel("perf.success"));
  EXPECT_TRUE(has_text(reg, "success " + chart::format_percent(s.perf_hourly.back().success_rate)));
  EXPECT_GT(distinct_colours(img), 60u);
}

// Nothing recorded: every view says so instead of drawing empty frames.
TEST(PerfViews, EmptySnapshot) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  runs::RunTable empty;
  SnapshotPtr s = runs_snapshot(empty, RangeKind::Days30);
  ui::FrameRegistry reg;
  render(*s, ui::View::Performance, &reg);
  EXPECT_TRUE(has_text(reg, "No errors in this range"));
  EXPECT_TRUE(reg.has_panel("perf.success"));
  EXPECT_FALSE(reg.has_table("error_patterns"));
  render(*s, ui::View::Runtimes, &reg);
  EXPECT_TRUE(has_text(reg, "No runs in this range"));
  render(*s, ui::View::Issues, &reg);
  EXPECT_TRUE(has_text(reg, "No issues in this range"));
  app::Image img = render(*s, ui::View::Activity, &reg);
  EXPECT_TRUE(has_text(reg, "No activity in this range"));
  save(img, "perf-view-activity-empty");
}

// 5,000 patterns: a screenful of rows is submitted, and the order is computed once for
// the three frames a render draws (not once per frame).
TEST(PerformanceView, ThousandsOfPatternsStayClipped) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  runs::RunTable t = many_patterns(5000);
  SnapshotPtr s = runs_snapshot(t, RangeKind::All, 9001);
  ASSERT_EQ(s->errors->patterns.size(), 5000u);
  ui::FrameRegistry reg;
  app::Image img = render(*s, ui::View::Performance, &reg);
  save(img, "perf-view-performance-5000-patterns");
  std::string drawn = text_starting(reg, "error_patterns drawn ");
  ASSERT_FALSE(drawn.empty());
  int shown = 0, total = 0;
  ASSERT_EQ(std::sscanf(drawn.c_str(), "error_patterns drawn %d of %d", &shown, &total), 2);
  EXPECT_EQ(total, 5000);
  EXPECT_GT(shown, 3);
  EXPECT_LT(shown, 60);
  auto sorts = [&] {
    unsigned long n = 0;
    std::sscanf(text_starting(reg, "error_patterns sorts ").c_str(), "error_patterns sorts %lu", &n);
    return n;
  };
  const unsigned long a = sorts();
  // Each render is a fresh ImGui context (its table specs start dirty) drawing three
  // frames: one sort per render, not one per frame.
  render(*s, ui::View::Performance, &reg);
  EXPECT_EQ(sorts(), a + 1);
  // A new snapshot version with dirty specs in the same frame: still one sort.
  SnapshotPtr s2 = runs_snapshot(t, RangeKind::All, 9002);
  render(*s2, ui::View::Performance, &reg);
  EXPECT_EQ(sorts(), a + 2);
}

// Runtimes: one row per runtime with its cost; both runtimes' colours in the cost chart.
TEST(RuntimesView, TableAndCharts) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  const Snapshot& s = *env().month;
  ASSERT_GE(s.runtimes.size(), 2u);
  ui::FrameRegistry reg;
  render(s, ui::View::Runtimes, &reg);
  EXPECT_TRUE(reg.has_table("runtimes_table"));
  EXPECT_TRUE(reg.has_table("runtime_operations"));
  for (const auto& r : s.runtimes) {
    EXPECT_TRUE(has_text(reg, r.runtime));
    EXPECT_TRUE(has_text(reg, chart::format_usd(r.cost)));
  }
  app::Image img = render(s, ui::View::Runtimes, &reg, "runtimes.cost");
  EXPECT_GT(count_colour(img, ui::series_color(0), kTolerance), 2000u);
  EXPECT_GT(count_colour(img, ui::series_color(1), kTolerance), 500u);
}

// Issues: the badge colours follow the thresholds, the tooltip text is "N sessions, X tokens".
TEST(IssuesView, BadgesAndDetail) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  const Snapshot& s = *env().month;
  ASSERT_FALSE(s.issues->empty());
  ui::FrameRegistry reg;
  app::Image img = render(s, ui::View::Issues, &reg);
  EXPECT_TRUE(reg.has_table("issues_table"));
  EXPECT_TRUE(reg.has_table("issue_sessions"));
  const auto& top = s.issues->front();
  const std::string tip = std::to_string(top.sessions.size()) + " sessions, " +
                          chart::format_tokens(static_cast<double>(top.tokens.total())) + " tokens";
  EXPECT_TRUE(has_text(reg, tip)) << tip;
  EXPECT_TRUE(has_text(reg, chart::format_usd(top.cost)));
  std::set<std::string> badges;
  for (const auto& i : *s.issues) badges.insert(i.badge);
  for (const auto& b : badges) {
    ImU32 c = b == "green"    ? dark().good
              : b == "yellow" ? dark().warn
              : b == "orange" ? dark().orange
                              : dark().bad;
    EXPECT_GT(count_colour(img, c, 12), 8u) << "badge colour " << b;  // the figures inside the pills
  }
}

// Activity: newest first, titles on screen; the filter and the re-anchoring rules.
TEST(ActivityView, StreamFilterAndFollow) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  const Snapshot& s = *env().month;
  ASSERT_GT(s.events.size(), 20u);
  for (std::size_t i = 1; i < s.events.size(); ++i) ASSERT_GE(s.events[i - 1].ts_ms, s.events[i].ts_ms);
  ui::FrameRegistry reg;
  render(s, ui::View::Activity, &reg);
  const auto& e0 = s.events.front();
  EXPECT_TRUE(has_text(reg, e0.is_session ? ui::short_path(e0.run.title, 60) : e0.run.title));
  std::set<EventKind> kinds;
  bool session = false;
  for (const auto& e : s.events) kinds.insert(e.kind), session = session || e.is_session;
  EXPECT_TRUE(session);
  EXPECT_TRUE(kinds.count(EventKind::Finished) && kinds.count(EventKind::Failed));
  // Filters: runs / sessions / failed, and text search that ignores case.
  ActivityEvent run;
  run.run.title = "Fix the Cron jobs";
  run.run.model = "claude-opus-4-5";
  run.kind = EventKind::Failed;
  run.run.status = runs::RunStatus::Error;
  EXPECT_TRUE(ui::event_matches(run, 0, "cron"));
  EXPECT_TRUE(ui::event_matches(run, 1, "OPUS"));
  EXPECT_FALSE(ui::event_matches(run, 2, ""));
  EXPECT_TRUE(ui::event_matches(run, 3, ""));
  EXPECT_FALSE(ui::event_matches(run, 4, ""));
  EXPECT_FALSE(ui::event_matches(run, 0, "webhook"));
  // Scrolled away at row 2 ("c"); two events arrive on top: the anchor is now row 4.
  EXPECT_EQ(ui::reanchor({"x", "y", "a", "b", "c", "d"}, "c", 2), 4u);
  // The anchor left the list (filtered out): stay at the same index, within bounds.
  EXPECT_EQ(ui::reanchor({"a", "b"}, "zz", 5), 1u);
}

// Save PNG of a single panel works for every panel of the four views.
TEST(PerfViews, EveryPanelSolo) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  for (ui::View v : {ui::View::Performance, ui::View::Runtimes, ui::View::Issues, ui::View::Activity})
    for (const auto& id : ui::panel_ids(v)) {
      ui::FrameRegistry reg;
      app::Image img = render(*env().month, v, &reg, id);
      EXPECT_EQ(reg.panels, std::vector<std::string>{id});
      EXPECT_GT(distinct_colours(img), 20u) << id;
    }
}

// The light theme draws the new views too (documents).
TEST(PerfViews, LightTheme) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  app::Image img = render(*env().month, ui::View::Performance, nullptr, "", ui::Theme::Light);
  save(img, "perf-view-performance-light");
  EXPECT_GT(img.pixel(img.width - 3, img.height - 3) & 0xFF, 200u);
}

// As the window draws it (not the screenshot path): "CSV", "JSON" and "PNG" share the title
// line without covering the title or each other, and the view still draws its panels.
TEST(PerfViews, InteractiveTitleLine) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  app::OffscreenRenderer r(1280, 860, 1.0f, ui::Theme::Dark);
  ASSERT_TRUE(r.ok());
  ui::AppState st;
  st.view = ui::View::Performance;
  st.filter = env().month->filter;
  st.now_ms = kNow;
  app::Image img = r.render([&] { ui::draw_app(env().month.get(), st); }, 3);
  save(img, "perf-view-performance-interactive");
  ui::FrameRegistry reg = ui::registry();
  for (const auto& id : ui::panel_ids(ui::View::Performance)) EXPECT_TRUE(reg.has_panel(id)) << id;
  EXPECT_GT(distinct_colours(img), 60u);
}
