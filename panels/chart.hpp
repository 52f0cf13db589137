#pragma once
// The chart module: bar, stacked bar, multi-series line, sparkline and horizontal bars on
// ImDrawList (ImPlot is not packaged). Geometry lives in pure functions (ticks, layout,
// stacking, hit-testing, formatting) that tests call without a window; the draw functions
// only turn their results into ImDrawList calls.

#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

namespace costdeck::chart {

// ---- formatting ------------------------------------------------------------------------

enum class Format { Usd, Tokens, DurationMs, Percent, Count };

std::string format_usd(double v);          // exact-ish: $1,234.56, $0.56, $0.0042
std::string format_usd_compact(double v);  // axes and cards: $1.2k, $15, $0.50
std::string format_tokens(double v);       // 950, 8k, 1.2M, 3.4B
std::string format_duration_ms(double ms); // 850 ms, 12.3 s, 4.5 min, 2.1 h
std::string format_percent(double fraction, int decimals = 1);  // 0.953 -> 95.3%
std::string format_count(double v);        // 1,234
std::string format_value(double v, Format f);    // the exact form for tooltips
std::string format_tick(double v, double step, Format f);  // axis labels, decimals from step
std::string format_date_label(const std::string& iso_day);  // 2025-01-15 -> Jan 15
// "2 hours ago", "just now", "3 days ago"; `now_ms` pins the clock.
std::string format_relative(std::int64_t ts_ms, std::int64_t now_ms);
// Signed change against a previous value, e.g. "+12.5%" / "−3.0%" / "new" / "—".
std::string format_change(double current, double previous);

// ---- geometry ---------------------------------------------------------------------------

struct Rect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float width() const { return x1 - x0; }
  float height() const { return y1 - y0; }
  bool contains(float x, float y) const { return x >= x0 && x < x1 && y >= y0 && y < y1; }
};

// The 1-2-5 "nice" number at or above (round=false) or nearest to (round=true) `x`.
double nice_number(double x, bool round);

struct Ticks {
  double lo = 0, hi = 1, step = 1;
  std::vector<double> values;  // lo, lo+step, ..., hi
};
// Ticks covering [lo, hi] with about `target` intervals and a 1-2-5 step; a degenerate
// range (lo == hi) is widened so a single value still gets an axis.
Ticks nice_ticks(double lo, double hi, int target = 5);
// nice_ticks with fewer intervals where `height` pixels would put the labels closer than
// `min_gap`: a short chart gets fewer labels, never crowded ones.
Ticks fitted_ticks(double lo, double hi, float height, float min_gap, int target = 4);

// Value -> pixel on a vertical axis (hi at the top).
float value_to_y(double v, double lo, double hi, const Rect& plot);

// Where the plot goes inside `outer`, leaving room for the y labels on the left (width of
// the widest label), the x labels below and the legend row above.
Rect plot_area(const Rect& outer, float y_label_width, float x_label_height, float legend_height,
               float pad);

// Slots for n categories across the plot: the slot of index i and the bar inside it.
struct BarSlot {
  float x0, x1;      // the slot
  float bar0, bar1;  // the bar (centred, at most max_bar wide, with a gap)
};
BarSlot bar_slot(const Rect& plot, int n, int i, float max_bar = 48.0f);
// The category under pixel x, or -1 outside the plot.
int index_at(const Rect& plot, int n, float x);
// For line charts: x of point i (points at slot centres) and the nearest index to pixel x.
float point_x(const Rect& plot, int n, int i);
int nearest_point(const Rect& plot, int n, float x);
// Show every k-th x label so labels of `label_width` pixels don't overlap.
int label_stride(const Rect& plot, int n, float label_width, float gap = 8.0f);

// Stacking: for each series s and index i, the [bottom, top] of its segment. Hidden
// series get an empty segment at the running top; negative values count as zero.
struct Segment {
  double bottom = 0, top = 0;
};
std::vector<std::vector<Segment>> stack_series(const std::vector<std::vector<double>>& series,
                                               const std::vector<bool>& visible);
// Largest stacked total over the visible series (the y axis' upper bound).
double stacked_max(const std::vector<std::vector<double>>& series, const std::vector<bool>& visible);
double series_max(const std::vector<std::vector<double>>& series, const std::vector<bool>& visible);

// ---- drawing ----------------------------------------------------------------------------

struct Series {
  std::string name;
  std::vector<double> values;  // one per x label
  ImU32 color = 0;             // 0: palette colour by index
};

struct ChartData {
  std::vector<std::string> x_labels;  // already formatted (dates: format_date_label)
  std::vector<std::string> x_tooltips;  // optional fuller labels for tooltips
  std::vector<Series> series;
  Format format = Format::Usd;
};

struct ChartOptions {
  float height = 220.0f;  // unscaled pixels (times the font scale); 0: fill the space left
  bool stacked = false;
  bool legend = true;
  bool show_total = true;    // stacked tooltips: a total line
  double y_min = 0;          // lines: fixed bottom of the axis
  double y_max = 0;          // > y_min: fixed top (e.g. 1.0 for percentages)
  // The y labels take at least this text's width, so charts stacked in one panel share
  // their left edge and their days line up.
  const char* y_label_room = nullptr;
  const char* empty_text = "No data in this range";
};

// Each returns the hovered index (or -1). Legend toggles persist in ImGui's state storage
// under the chart's id.
int bar_chart(const char* id, const ChartData& data, const ChartOptions& opts = {});
int line_chart(const char* id, const ChartData& data, const ChartOptions& opts = {});
void sparkline(const char* id, const std::vector<double>& values, ImVec2 size, ImU32 color,
               bool fill = true);

struct HBarItem {
  std::string label;
  double value = 0;
  std::string detail;  // shown at the right of the value, dimmed (e.g. the share)
  ImU32 color = 0;
};
// One row per item: label, a bar scaled to the largest value, the formatted value.
void hbar_list(const char* id, const std::vector<HBarItem>& items, Format f, float label_width = 0);

// A horizontal gauge (budget bars): fraction 0..1+, coloured ok/warn/bad by `warn`/`bad`.
void gauge(const char* id, double fraction, ImVec2 size, double warn = 0.8, double bad = 1.0);
ImU32 gauge_color(double fraction, double warn = 0.8, double bad = 1.0);

}  // namespace costdeck::chart
