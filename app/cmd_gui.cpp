// The window (no subcommand), `costdeck --demo`, and `costdeck screenshot`: in costdeck-gui.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/gui_entry.hpp"
#include "app/headless_shot.hpp"
#include "app/options.hpp"
#include "app/window.hpp"
#include "core/demo_data.hpp"
#include "core/store/store.hpp"
#include "core/timeutil.hpp"
#include "core/worker.hpp"

namespace costdeck::app {

namespace {

// Fills the filter from the shared options; false (with a message) on a bad value.
bool filter_from_options(const CommonOptions& o, const std::string& range, ViewFilter* f) {
  if (!range.empty() && !parse_range(range, f)) {
    std::fprintf(stderr,
                 "costdeck: --range must be today, 7d, 30d, month, all or FROM..TO (YYYY-MM-DD), not '%s'\n",
                 range.c_str());
    return false;
  }
  if (!o.since.empty() || !o.until.empty()) {
    auto a = timeutil::parse_day(o.since.empty() ? "1970-01-01" : o.since);
    auto b = timeutil::parse_day(o.until.empty() ? "2999-12-31" : o.until);
    if (!a || !b) {
      std::fprintf(stderr, "costdeck: --since/--until must be YYYY-MM-DD\n");
      return false;
    }
    f->range = RangeKind::Custom;
    f->from = timeutil::format_day(*a);
    f->to = timeutil::format_day(*b);
  }
  f->runtime = o.runtime == "all" ? "" : o.runtime;
  f->project = o.project;
  f->model = o.model;
  f->tier = o.tier;
  f->timezone = o.timezone;
  if (!f->timezone.empty()) {
    try {
      timeutil::Zone::named(f->timezone);
    } catch (const std::exception&) {
      std::fprintf(stderr, "costdeck: unknown time zone '%s'\n", f->timezone.c_str());
      return false;
    }
  }
  return true;
}

bool now_from_options(const CommonOptions& o, std::int64_t* now) {
  *now = 0;
  if (o.now.empty()) return true;
  auto t = timeutil::parse_iso8601_ms(o.now);
  if (!t) {
    std::fprintf(stderr, "costdeck: --now must be an ISO 8601 instant such as 2026-01-15T12:00:00Z\n");
    return false;
  }
  *now = *t;
  return true;
}

// Worker options for real data; false (with a message) when the config is broken.
bool worker_options(const CommonOptions& o, std::int64_t now, WorkerOptions* w) {
  w->db_path = store::resolve_db_path(o.db);
  w->claude_dirs = o.claude_dirs;
  w->codex_dirs = o.codex_dirs;
  w->no_scan = o.no_scan;
  w->pinned_now_ms = now;
  w->config_path = o.config;
  try {
    w->config = load_config(o.config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "costdeck: %s\n", e.what());
    return false;
  }
  return true;
}

WorkerOptions demo_options(std::int64_t now, std::string* root) {
  demo::DemoOptions d;
  d.now_ms = now;
  demo::DemoData data = demo::write_demo(d);
  WorkerOptions w;
  w.db_path = data.db_path;
  w.claude_dirs = {data.claude_dir};
  w.codex_dirs = {data.codex_dir};
  w.config = data.config;
  w.config_path = data.root + "/config.json";  // Settings in the demo never touch the user's config
  w.pinned_now_ms = now;
  w.demo = true;
  if (root) *root = data.root;
  return w;
}

struct TempTree {
  std::string path;
  ~TempTree() {
    if (!path.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  }
};

int screenshot(const CommonOptions& o, const GuiFlags& g) {
  ShotOptions so;
  if (!parse_size(g.size, &so.width, &so.height)) {
    std::fprintf(stderr, "costdeck: --size must be WIDTHxHEIGHT between 200 and 8192, not '%s'\n",
                 g.size.c_str());
    return 2;
  }
  // "compact" is the compact window rather than a view of the full one.
  const bool compact = g.view == "compact";
  if (compact && g.size == "1440x900") so.width = 360, so.height = 560;
  auto view = compact ? std::optional<ui::View>(ui::View::Live) : ui::view_from_name(g.view);
  if (!view) {
    std::fprintf(stderr, "costdeck: unknown --view '%s'\n", g.view.c_str());
    return 2;
  }
  so.view = *view;
  if (!ui::theme_from_name(g.theme, &so.theme)) {
    std::fprintf(stderr, "costdeck: --theme must be light or dark\n");
    return 2;
  }
  so.scale = g.scale;
  so.panel = g.panel;
  ViewFilter f;
  std::int64_t now = 0;
  if (!filter_from_options(o, g.range, &f) || !now_from_options(o, &now)) return 2;
  TempTree tmp;
  WorkerOptions w;
  if (g.demo) {
    if (!now)
      now = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
    w = demo_options(now, &tmp.path);
  } else if (!worker_options(o, now, &w)) {
    return 2;
  }
  std::string err;
  auto gl = HeadlessGl::create(&err);
  if (!gl) {
    std::fprintf(stderr, "costdeck: %s\n", err.c_str());
    return 1;
  }
  Worker worker(w);
  SnapshotPtr snap = worker.build_once(f);
  if (!snap->fatal_error.empty()) std::fprintf(stderr, "costdeck: %s\n", snap->fatal_error.c_str());
  ui::AppState st;
  st.filter = f;
  st.now_ms = snap->now_ms;
  st.compact = compact;
  st.headless_notices = g.show_notices;
  if (!so.panel.empty()) {
    auto ids = ui::panel_ids(so.view);
    if (std::find(ids.begin(), ids.end(), so.panel) == ids.end()) {
      std::string all;
      for (const auto& i : ids) all += " " + i;
      std::fprintf(stderr, "costdeck: no panel '%s' in view %s (panels:%s)\n", so.panel.c_str(),
                   g.view.c_str(), all.c_str());
      return 2;
    }
  }
  Image img = render_app(*snap, st, so);
  if (img.width == 0) {
    std::fprintf(stderr, "costdeck: off-screen rendering failed (no framebuffer object)\n");
    return 1;
  }
  if (!write_png(g.out, img, &err)) {
    std::fprintf(stderr, "costdeck: %s\n", err.c_str());
    return 1;
  }
  std::fprintf(stderr, "wrote %s (%dx%d, %s, %s)\n", g.out.c_str(), img.width, img.height, g.view.c_str(),
               ui::theme_name(so.theme));
  return 0;
}

int window(const CommonOptions& o, const GuiFlags& g) {
  std::int64_t now = 0;
  if (!now_from_options(o, &now)) return 2;
  WindowOptions wo;
  auto demo_root = std::make_shared<TempTree>();
  if (g.demo) {
    std::int64_t t = now ? now
                         : std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    wo.worker = demo_options(t, &demo_root->path);
    wo.worker.pinned_now_ms = now;
    wo.demo = true;
  } else if (!worker_options(o, now, &wo.worker)) {
    return 2;
  }
  wo.compact = g.compact;
  wo.make_demo = [demo_root, now] {
    std::int64_t t = now ? now
                         : std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    WorkerOptions w = demo_options(t, &demo_root->path);
    w.pinned_now_ms = now;
    return w;
  };
  return run_window(std::move(wo));
}

}  // namespace

GuiEntry in_process_gui_entry() {
  return {window, screenshot};
}

}  // namespace costdeck::app
