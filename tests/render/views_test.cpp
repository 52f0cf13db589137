// Every view drawn headless on demo data (generated, deterministic for a pinned clock):
// the PNG has real content (colours of the series where the bars are, text), the panels
// and tables the view promises exist, the same input gives the same bytes, and the
// empty store shows the first-run screen.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "app/headless_shot.hpp"
#include "core/demo_data.hpp"
#include "core/worker.hpp"
#include "image_checks.hpp"
#include "panels/chart.hpp"
#include "panels/export.hpp"

using namespace costdeck;
namespace fs = std::filesystem;

using namespace costdeck::test;

namespace {

const std::int64_t kNow = 1'768'489'200'000;  // 2026-01-15T15:00:00Z

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
    e->snap = w.build_once(f);
    return e;
  }();
  return *e;
}

app::Image render(ui::View v, ui::FrameRegistry* reg, ui::Theme theme = ui::Theme::Dark, const std::string& panel = "") {
  app::ShotOptions so;
  so.width = 1280;
  so.height = 860;
  so.view = v;
  so.theme = theme;
  so.panel = panel;
  ui::AppState st;
  st.filter = env().snap->filter;
  st.now_ms = kNow;
  return app::render_app(*env().snap, st, so, reg);
}

}  // namespace

class ViewRender : public ::testing::TestWithParam<ui::View> {};

TEST_P(ViewRender, DrawsItsPanelsWithContent) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  ASSERT_TRUE(env().snap && env().snap->ready);
  ui::FrameRegistry reg;
  app::Image img = render(GetParam(), &reg);
  ASSERT_EQ(img.width, 1280);
  save(img, std::string("view-") + ui::view_name(GetParam()));
  // Not blank: text, cards and charts give many shades.
  EXPECT_GT(distinct_colours(img), 60u);
  for (const auto& id : ui::panel_ids(GetParam())) EXPECT_TRUE(reg.has_panel(id)) << "missing panel " << id;
}

INSTANTIATE_TEST_SUITE_P(AllViews, ViewRender,
                         ::testing::Values(ui::View::Dashboard, ui::View::Costs, ui::View::Tiers, ui::View::Performance,
                                           ui::View::Runtimes, ui::View::Issues, ui::View::Sessions,
                                           ui::View::Activity, ui::View::Sources),
                         [](const auto& info) { return std::string(ui::view_name(info.param)); });

// The stacked daily bars use the palette's first colours (the two costliest models).
TEST(ViewContent, CostBarsCarryTheSeriesColours) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  ui::FrameRegistry reg;
  ui::Theme t = ui::Theme::Dark;
  app::Image img = render(ui::View::Costs, &reg, t, "costs.daily");
  EXPECT_EQ(reg.panels, std::vector<std::string>{"costs.daily"}) << "a soloed panel is drawn alone";
  EXPECT_GT(count_colour(img, ui::series_color(0)), 5000u);
  EXPECT_GT(count_colour(img, ui::series_color(1)), 2000u);
  save(img, "panel-costs-daily");
}

TEST(ViewContent, TablesAndFiguresExist) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  ui::FrameRegistry reg;
  render(ui::View::Sessions, &reg);
  EXPECT_TRUE(reg.has_table("sessions_table"));
  render(ui::View::Costs, &reg);
  EXPECT_TRUE(reg.has_table("model_table"));
  EXPECT_TRUE(reg.has_table("top_sessions"));
  EXPECT_TRUE(reg.has_table("top_runs"));
  render(ui::View::Tiers, &reg);
  EXPECT_TRUE(reg.has_table("tiers_table"));
  render(ui::View::Sources, &reg);
  EXPECT_TRUE(reg.has_table("files_table"));
  render(ui::View::Dashboard, &reg);
  // The cost cards' figures are dollar amounts taken from the snapshot.
  std::string today = chart::format_usd(env().snap->today.cost);
  EXPECT_NE(std::find(reg.texts.begin(), reg.texts.end(), today), reg.texts.end()) << today;
  render(ui::View::Activity, &reg);
  ASSERT_FALSE(env().snap->activity.empty());
  EXPECT_NE(std::find(reg.texts.begin(), reg.texts.end(), env().snap->activity.front().title), reg.texts.end());
}

// Same snapshot, size and theme: the same PNG bytes.
TEST(ViewContent, RenderingIsDeterministic) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  app::Image a = render(ui::View::Dashboard, nullptr);
  app::Image b = render(ui::View::Dashboard, nullptr);
  EXPECT_EQ(app::encode_png(a), app::encode_png(b));
}

// The light theme is light: the window background near white, the text dark.
TEST(ViewContent, LightTheme) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  app::Image img = render(ui::View::Costs, nullptr, ui::Theme::Light);
  save(img, "view-costs-light");
  std::uint32_t bg = img.pixel(img.width - 3, img.height - 3);
  EXPECT_GT(bg & 0xFF, 200u);
  EXPECT_GT(distinct_colours(img), 60u);
}

// "Save PNG" as the window does it: the panel drawn alone off-screen on this thread, then
// encoded and written by the export job; the file is a PNG of the panel's pixel size.
TEST(ViewContent, SavePngWritesThePanelFromTheJob) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  fs::path dir = fs::temp_directory_path() / ("costdeck-save-png-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  app::ShotOptions so;
  so.width = 450;
  so.height = 180;
  so.scale = 2;
  so.view = ui::View::Costs;
  so.panel = "costs.daily";
  ui::AppState st;
  st.filter = env().snap->filter;
  st.now_ms = kNow;
  app::Image img = app::render_app(*env().snap, st, so);
  ASSERT_EQ(img.width, 900);
  const std::vector<std::uint8_t> expected = app::encode_png(img);
  while (ui::take_export_status()) {
  }
  app::save_png_async(std::move(img), app::png_file_name(so.panel, so.scale, 0), dir.string());
  ui::wait_exports();
  auto m = ui::take_export_status();
  ASSERT_TRUE(m);
  const fs::path file = dir / app::png_file_name(so.panel, so.scale, 0);
  EXPECT_EQ(*m, "Saved " + file.string());
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  auto be32 = [&](std::size_t at) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) << 24) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 8) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3]));
  };
  EXPECT_EQ(be32(16), 900u) << "IHDR width";
  EXPECT_EQ(be32(20), 360u) << "IHDR height";
  EXPECT_TRUE(bytes == std::string(expected.begin(), expected.end()));
  fs::remove_all(dir);
}

// A finished job's message waits for the window: an off-screen draw (Save PNG, a
// screenshot) works on a copy of the state and must not take it.
TEST(ViewContent, OffscreenDrawLeavesExportMessages) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  while (ui::take_export_status()) {
  }
  ui::run_export_job([] { return std::string("Saved somewhere"); });
  ui::wait_exports();
  render(ui::View::Costs, nullptr);
  auto m = ui::take_export_status();
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, "Saved somewhere");
}

// Demo data sits in a folder with a random name; Sources names it by a fixed root instead.
TEST(ViewContent, SourcesShowTheDemoFolderByAFixedName) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  ui::FrameRegistry reg;
  render(ui::View::Sources, &reg);
  EXPECT_NE(std::find(reg.texts.begin(), reg.texts.end(), "store: <demo>/demo.db"), reg.texts.end());
  EXPECT_NE(std::find(reg.texts.begin(), reg.texts.end(), "looked in: <demo>/claude, <demo>/codex"),
            reg.texts.end());
  for (const auto& t : reg.texts) EXPECT_EQ(t.find(env().data.root), std::string::npos) << t;
}

// No data anywhere: the first-run screen says where it looked and offers the demo.
TEST(ViewContent, FirstRunScreen) {
  ASSERT_TRUE(env().gl) << env().gl_error;
  fs::path tmp = fs::temp_directory_path() / ("costdeck-firstrun-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  WorkerOptions o;
  o.db_path = (tmp / "empty.db").string();
  o.claude_dirs = {(tmp / "no-claude").string()};
  o.codex_dirs = {(tmp / "no-codex").string()};
  o.pinned_now_ms = kNow;
  Worker w(o);
  SnapshotPtr s = w.build_once(ViewFilter{});
  ASSERT_TRUE(s->first_run);
  app::ShotOptions so;
  so.width = 1000;
  so.height = 700;
  ui::AppState st;
  ui::FrameRegistry reg;
  app::Image img = app::render_app(*s, st, so, &reg);
  save(img, "first-run");
  EXPECT_TRUE(reg.has_panel("first_run"));
  EXPECT_NE(std::find(reg.texts.begin(), reg.texts.end(), "No agent data found"), reg.texts.end());
  fs::remove_all(tmp);
}

// The command: headless, same bytes for the same data and clock.
TEST(ScreenshotCommand, DeterministicPng) {
  fs::path tmp = fs::temp_directory_path() / ("costdeck-shot-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  auto shot = [&](const std::string& name) {
    std::string cmd = std::string("env -u DISPLAY ") + COSTDECK_BINARY +
                      " screenshot --demo --now 2026-01-15T15:00:00Z --timezone UTC --view costs --size 1000x700 --out " +
                      (tmp / name).string() + " 2>/dev/null";
    return std::system(cmd.c_str());
  };
  ASSERT_EQ(shot("a.png"), 0);
  ASSERT_EQ(shot("b.png"), 0);
  auto read = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::string a = read(tmp / "a.png"), b = read(tmp / "b.png");
  EXPECT_GT(a.size(), 10000u);
  EXPECT_EQ(a, b);
  // Bad arguments are usage errors.
  std::string bad = std::string(COSTDECK_BINARY) + " screenshot --demo --view nope --out " + (tmp / "c.png").string() +
                    " 2>/dev/null";
  EXPECT_EQ(WEXITSTATUS(std::system(bad.c_str())), 2);
  fs::remove_all(tmp);
}

// Two demo screenshots made at once (their own folders, as parallel test runs do): Sources
// and Settings, which show the demo's paths, come out byte for byte the same.
TEST(ScreenshotCommand, DemoPathsAreTheSameOnEveryRun) {
  fs::path tmp = fs::temp_directory_path() / ("costdeck-shot-paths-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  auto read = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  for (const std::string view : {"sources", "settings"}) {
    auto shot = [&](const std::string& name) {
      return std::string("env -u DISPLAY ") + COSTDECK_BINARY +
             " screenshot --demo --now 2026-01-15T15:00:00Z --timezone UTC --size 1000x700 --view " + view +
             " --out " + (tmp / name).string() + " 2>/dev/null";
    };
    const std::string both =
        shot(view + "-a.png") + " & a=$!; " + shot(view + "-b.png") + "; b=$?; wait $a && exit $b";
    ASSERT_EQ(std::system(both.c_str()), 0) << view;
    const std::string a = read(tmp / (view + "-a.png")), b = read(tmp / (view + "-b.png"));
    EXPECT_GT(a.size(), 10000u) << view;
    EXPECT_TRUE(a == b) << view << " differs between two demo runs";
  }
  fs::remove_all(tmp);
}
