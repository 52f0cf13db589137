#pragma once
// The contract every view follows: it draws from the newest snapshot and the one AppState,
// and owns nothing but small caches keyed by the snapshot's version. Views are made of
// panels (begin_panel/end_panel): each is a card with a title and "Save PNG", can be drawn
// alone (for the PNG) and is recorded in a per-frame registry that render tests read.

#include <imgui.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/snapshot.hpp"
#include "panels/style.hpp"

namespace costdeck::ui {

enum class View { Dashboard, Costs, Tiers, Performance, Runtimes, Issues, Sessions, Activity, Sources, Live, Settings };
inline constexpr int kViewCount = 11;
const char* view_name(View v);   // dashboard, costs, ...
const char* view_title(View v);  // Dashboard, Costs, ...
std::optional<View> view_from_name(const std::string& s);

// Settings: the budget being added (index -1) or edited, with its text fields.
struct BudgetDraft {
  int index = -1;
  bool loaded = false;  // fields filled from the budget being edited
  int scope = 0;        // 0 overall, 1 tier, 2 project
  live::Budget budget;
  char name[64] = "";
  char project[160] = "";
  char command[256] = "";
  char thresholds[48] = "80, 100";
  std::string error;
};

// "Save PNG" asks the host (window) to draw one panel alone off-screen.
struct CaptureRequest {
  std::string panel_id;
  float scale = 1.0f;    // 1x or 2x
  ImVec2 size{0, 0};     // the panel's size at 1x, in unscaled pixels
};

struct AppState {
  View view = View::Dashboard;
  ViewFilter filter;    // what the views show; the host forwards changes to the worker
  Theme theme = Theme::Dark;
  float scale = 1.0f;   // high-DPI factor the fonts were built with
  std::int64_t now_ms = 0;  // clock for relative times ("2 hours ago")
  bool headless = false;    // screenshots: no hover, no popups

  std::string selected_session;
  std::string session_search;

  // When set, only this panel is drawn, filling the whole window (PNG export).
  std::string solo_panel;
  std::optional<CaptureRequest> capture;  // set by a Save PNG click, cleared by the host
  std::string status;                     // one line at the bottom ("Saved ...")

  // Live, Settings and the compact window.
  bool compact = false;            // draw the compact layout instead of the full window
  bool want_compact = false;       // the user toggled compact mode; the host switches
  std::uint64_t notices_seen = 0;  // budget notices up to this id were dismissed
  bool headless_notices = false;   // screenshots draw notices only when asked (--notices)
  std::optional<std::vector<live::Budget>> want_save_budgets;  // Settings -> host -> worker
  BudgetDraft budget_draft;

  bool want_demo = false;    // first-run screen: "Open the demo"
  bool want_refresh = false;
  // Custom range edit buffers.
  char custom_from[16] = "";
  char custom_to[16] = "";
};

// ---- panels ------------------------------------------------------------------------------

// Opens a card of `size` (0 height: fill). Returns false when the panel is not drawn this
// frame (another panel is soloed); end_panel must be called only when it returned true.
bool begin_panel(AppState& st, const char* id, const char* title, ImVec2 size, bool save_button = true);
void end_panel();

// Where something was drawn and how much of its window could be seen there (the window's
// clip rectangle, which stops at every enclosing window's edge), in screen pixels: a layout
// test can tell "drawn" from "drawn but cut off below the fold".
struct NotedRect {
  std::string id;
  ImVec2 min, max;
  ImVec2 clip_min, clip_max;
  bool fully_visible() const {
    return min.x >= clip_min.x && min.y >= clip_min.y && max.x <= clip_max.x && max.y <= clip_max.y;
  }
};

// What was drawn in the last frame, for tests: panel ids and table ids in drawing order.
struct FrameRegistry {
  std::vector<std::string> panels;
  std::vector<std::string> tables;
  std::vector<std::string> texts;  // notable texts (card values, messages) for content checks
  std::vector<NotedRect> rects;    // every panel's card (by panel id), and what note_rect adds
  void clear() { panels.clear(), tables.clear(), texts.clear(), rects.clear(); }
  bool has_panel(const std::string& id) const;
  bool has_table(const std::string& id) const;
  const NotedRect* rect(const std::string& id) const;  // the last one noted under `id`
};
FrameRegistry& registry();
void note_table(const char* id);
void note_text(const std::string& s);
void note_rect(const std::string& id);  // the last item's rectangle (a group's, after EndGroup)

// The whole window: sidebar, global controls, the current view (or the soloed panel).
// `snap` may be null before the first snapshot.
void draw_app(const Snapshot* snap, AppState& st);

// Panels' ids per view (for "Save PNG" tests and the screenshot command).
std::vector<std::string> panel_ids(View v);

}  // namespace costdeck::ui
