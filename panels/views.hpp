#pragma once
// Internal to panels/: one draw function per view (each in its own view_*.cpp) and the
// small widgets they share.

#include <initializer_list>
#include <string>

#include "panels/chart.hpp"
#include "panels/panel.hpp"

namespace costdeck::ui {

void draw_dashboard(const Snapshot& s, AppState& st);
void draw_costs(const Snapshot& s, AppState& st);
void draw_tiers(const Snapshot& s, AppState& st);
void draw_sessions(const Snapshot& s, AppState& st);
void draw_activity(const Snapshot& s, AppState& st);
void draw_sources(const Snapshot& s, AppState& st);
void draw_performance(const Snapshot& s, AppState& st);
void draw_runtimes(const Snapshot& s, AppState& st);
void draw_issues(const Snapshot& s, AppState& st);

float ui_scale();  // font size / 15: every hand-placed pixel is multiplied by it
// Fixed-width layout: width of column i of n with the style's spacing between.
float column_width(int n);
// A figure card body: caption, big value, a coloured change line.
void stat_body(const char* caption, const std::string& value, const std::string& sub, ImU32 sub_color);
// "+12.5% vs …" in the right colour for a cost (up: orange, down: green).
ImU32 change_color(double current, double previous);
void text_right(const std::string& s);  // right-aligned in the current column/cell
// TableHeadersRow, with the titles of the `right_aligned` columns (indices) at the right
// end of their cells, over the right-aligned figures they name.
void headers_row(std::initializer_list<int> right_aligned);
void text_dim(const char* fmt, ...) IM_FMTARGS(1);
std::string short_model_name(const std::string& model);
std::string short_path(const std::string& path, std::size_t max_chars = 48);
// `s` cut with "…" to fit `width` pixels in the current font, so a cell's text never ends
// mid-letter at the column edge. `keep_end`: cut the start instead (paths, where the file
// name matters most).
std::string fit_text(const std::string& s, float width, bool keep_end = false);
std::string format_time(std::int64_t ts_ms, const std::string& zone_name);  // 2026-01-01 14:05
// A path (or a message holding one) as the views show it. Demo data lives in a fresh
// temporary folder each run, so two demos at once never share one; the views name that
// folder kDemoRoot instead, so what they show, and screenshots of it, is the same on every
// run. The folder is the store's (write_demo puts the store at its root). Other paths
// come back unchanged.
inline constexpr const char* kDemoRoot = "<demo>";
std::string shown_path(const Snapshot& s, const std::string& path);

}  // namespace costdeck::ui

namespace costdeck::ui {
// "task • 2 hours ago • opus-4-5 · 8k in / 2k out" (tested).
std::string activity_line(const runs::RunBrief& r, std::int64_t now_ms);
}  // namespace costdeck::ui

namespace costdeck::ui {
// The activity stream's filter: 0 all, 1 runs, 2 sessions, 3 failed, 4 retried, 5 running;
// `needle` matched case-insensitively against title, type, model, tier, issue, session, error.
bool event_matches(const ActivityEvent& e, int kind_filter, const std::string& needle);
// Where the row the user was looking at went after new events arrived: its index in
// `keys` (the new list), or the old index clamped when it is gone.
std::size_t reanchor(const std::vector<std::string>& keys, const std::string& anchor_key, std::size_t old_index);
std::string event_key(const ActivityEvent& e);
// The title line of the panel just opened: continue right after the title (the PNG button
// sits at the right end, so a plain SameLine would land after it), or reserve `width` at
// the right end, left of what is there already; returns the x to place it at.
void same_line_after_title();
float take_title_right(float width);
}  // namespace costdeck::ui

namespace costdeck::ui {
// Live, Settings, the compact window and the widgets they share (view_live.cpp).
void draw_live(const Snapshot& s, AppState& st);
void draw_settings(const Snapshot& s, AppState& st);
void draw_compact(const Snapshot* s, AppState& st);  // the whole compact window
void draw_toasts(const Snapshot* s, AppState& st);   // budget notices not yet dismissed
ImU32 status_color(live::LimitStatus s);
const char* status_label(live::LimitStatus s);  // ok / warning / exceeded
std::string format_hm(std::int64_t ms);         // 2h 05m, 45m
std::string budget_amount(double v, live::BudgetUnit u);
// A bar of `used` (fraction of the limit) with a tick at `projected`.
void limit_bar(const char* id, double used, double projected, ImU32 color, ImVec2 size);
// Name, used of limit, bar with the projection, percent and status; up to `max_rows`.
// `compact`: two lines a budget (the status beside the bar, the projection as its tick).
// Each row's rectangle is noted as "budget:<display name>".
void budget_rows(const std::vector<live::BudgetStatus>& budgets, std::size_t max_rows, bool tier_only,
                 bool compact = false);
// The current block: cost, tokens, bar to the limit with the projection, burn rate.
void block_summary(const Snapshot& s, bool compact);
}  // namespace costdeck::ui
