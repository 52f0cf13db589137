#include "panels/chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panels/style.hpp"

namespace costdeck::chart {

// ---- formatting ------------------------------------------------------------------------

namespace {

std::string printf_str(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// 1234567.891 with 2 decimals -> "1,234,567.89"
std::string grouped(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(v));
  std::string s = buf;
  std::size_t dot = s.find('.');
  std::size_t int_end = dot == std::string::npos ? s.size() : dot;
  std::string out;
  for (std::size_t i = 0; i < int_end; ++i) {
    if (i > 0 && (int_end - i) % 3 == 0) out += ',';
    out += s[i];
  }
  out += s.substr(int_end);
  return (v < 0 && std::fabs(v) >= 0.5 * std::pow(10.0, -decimals) ? "-" : "") + out;
}

int decimals_for_step(double step) {
  if (step <= 0) return 0;
  int d = static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return std::clamp(d, 0, 6);
}

std::string with_suffix(double v, double unit, const char* suffix, int max_decimals) {
  double x = v / unit;
  // 1.0M reads as 1M; 12.5M keeps its decimal; three digits need none.
  int dec = std::fabs(x) >= 100 ? 0 : max_decimals;
  std::string s = printf_str(dec == 0 ? "%.0f" : "%.1f", x);
  if (dec > 0 && s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s + suffix;
}

}  // namespace

std::string format_usd(double v) {
  const char* sign = v < 0 ? "-" : "";
  double a = std::fabs(v);
  if (a == 0) return "$0.00";
  if (a < 0.01) return sign + printf_str("$%.4f", a);
  return sign + std::string("$") + grouped(a, 2);
}

std::string format_usd_compact(double v) {
  const char* sign = v < 0 ? "-" : "";
  double a = std::fabs(v);
  // Each step starts where the one below would round up to 1000 of its unit.
  if (a >= 999.5e3) return sign + std::string("$") + with_suffix(a, 1e6, "M", 1);
  if (a >= 1e4) return sign + std::string("$") + with_suffix(a, 1e3, "k", 1);
  if (a >= 100) return sign + printf_str("$%.0f", a);
  if (a == 0) return "$0";
  if (a < 0.01) return sign + printf_str("$%.3f", a);
  return sign + printf_str("$%.2f", a);
}

std::string format_tokens(double v) {
  double a = std::fabs(v);
  std::string sign = v < 0 ? "-" : "";
  // Each step starts where the one below would round up to 1000 of its unit ("1M", not "1000k").
  if (a >= 999.5e6) return sign + with_suffix(a, 1e9, "B", 1);
  if (a >= 999.5e3) return sign + with_suffix(a, 1e6, "M", 1);
  if (a >= 999.5) return sign + with_suffix(a, 1e3, "k", a >= 1e4 ? 0 : 1);
  return sign + printf_str("%.0f", a);
}

std::string format_duration_ms(double ms) {
  double a = std::fabs(ms);
  if (a < 1000) return printf_str("%.0f ms", ms);
  if (a < 60'000) return printf_str(a < 10'000 ? "%.2f s" : "%.1f s", ms / 1000.0);
  if (a < 3'600'000) return printf_str("%.1f min", ms / 60'000.0);
  return printf_str("%.1f h", ms / 3'600'000.0);
}

std::string format_percent(double fraction, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f%%", decimals, fraction * 100.0);
  return buf;
}

std::string format_count(double v) { return grouped(std::round(v), 0); }

std::string format_value(double v, Format f) {
  switch (f) {
    case Format::Usd: return format_usd(v);
    case Format::Tokens: return format_count(v) + " tokens";
    case Format::DurationMs: return format_duration_ms(v);
    case Format::Percent: return format_percent(v);
    case Format::Count: return format_count(v);
  }
  return {};
}

std::string format_tick(double v, double step, Format f) {
  if (std::fabs(v) < step * 1e-9) v = 0;  // no "-0"
  switch (f) {
    case Format::Usd:
      if (std::fabs(v) >= 1e4 || step >= 1e4) return format_usd_compact(v);
      return (v < 0 ? "-$" : "$") + grouped(std::fabs(v), std::max(decimals_for_step(step), 0));
    case Format::Tokens: return format_tokens(v);
    case Format::DurationMs: return format_duration_ms(v);
    case Format::Percent: return format_percent(v, std::max(0, decimals_for_step(step * 100)));
    case Format::Count:
      if (std::fabs(v) >= 1e4) return format_tokens(v);
      return grouped(v, decimals_for_step(step));
  }
  return {};
}

std::string format_date_label(const std::string& iso_day) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int y = 0, m = 0, d = 0;
  if (std::sscanf(iso_day.c_str(), "%d-%d-%d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
    return std::string(kMonths[m - 1]) + " " + std::to_string(d);
  if (std::sscanf(iso_day.c_str(), "%d-%d", &y, &m) == 2 && m >= 1 && m <= 12)
    return std::string(kMonths[m - 1]) + " " + std::to_string(y);
  return iso_day;
}

std::string format_relative(std::int64_t ts_ms, std::int64_t now_ms) {
  std::int64_t s = (now_ms - ts_ms) / 1000;
  if (s < 0) return "in the future";
  if (s < 45) return "just now";
  auto unit = [](std::int64_t n, const char* one) {
    return std::to_string(n) + " " + one + (n == 1 ? "" : "s") + " ago";
  };
  if (s < 3600) return unit(std::max<std::int64_t>(1, s / 60), "minute");
  if (s < 86400) return unit(s / 3600, "hour");
  if (s < 86400 * 60) return unit(s / 86400, "day");
  return unit(s / (86400 * 30), "month");
}

std::string format_change(double current, double previous) {
  if (previous == 0) return current == 0 ? "—" : "new";
  double change = (current - previous) / previous;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%.1f%%", change >= 0 ? "+" : "−", std::fabs(change) * 100.0);
  return buf;
}

// ---- geometry ---------------------------------------------------------------------------

double nice_number(double x, bool round) {
  if (!(x > 0) || !std::isfinite(x)) return 1;
  double expv = std::floor(std::log10(x));
  double f = x / std::pow(10.0, expv);
  double nf;
  if (round) nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  else nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nf * std::pow(10.0, expv);
}

Ticks nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {
    // A single value: give it room above (and below when it is not zero).
    double pad = lo == 0 ? 1 : std::fabs(lo) * 0.5;
    hi = lo + pad;
    if (lo != 0) lo -= pad;
    if (lo < 0 && hi > 0 && lo > -pad) lo = 0;
  }
  target = std::max(target, 1);
  Ticks t;
  t.step = nice_number((hi - lo) / target, true);
  t.lo = std::floor(lo / t.step + 1e-9) * t.step;
  t.hi = std::ceil(hi / t.step - 1e-9) * t.step;
  if (t.hi <= t.lo) t.hi = t.lo + t.step;
  int n = static_cast<int>(std::lround((t.hi - t.lo) / t.step));
  for (int i = 0; i <= n; ++i) t.values.push_back(t.lo + i * t.step);
  return t;
}

Ticks fitted_ticks(double lo, double hi, float height, float min_gap, int target) {
  Ticks t = nice_ticks(lo, hi, target);
  while (target > 1 && t.values.size() > 2 && height < min_gap * static_cast<float>(t.values.size() - 1))
    t = nice_ticks(lo, hi, --target);
  return t;
}

float value_to_y(double v, double lo, double hi, const Rect& plot) {
  if (hi <= lo) return plot.y1;
  double f = (v - lo) / (hi - lo);
  return static_cast<float>(plot.y1 - f * plot.height());
}

Rect plot_area(const Rect& outer, float y_label_width, float x_label_height, float legend_height, float pad) {
  Rect r;
  r.x0 = outer.x0 + y_label_width + pad;
  r.x1 = outer.x1 - pad;
  r.y0 = outer.y0 + legend_height + pad;
  r.y1 = outer.y1 - x_label_height - pad;
  if (r.x1 < r.x0) r.x1 = r.x0;
  if (r.y1 < r.y0) r.y1 = r.y0;
  return r;
}

BarSlot bar_slot(const Rect& plot, int n, int i, float max_bar) {
  BarSlot s{};
  if (n <= 0) return s;
  float w = plot.width() / n;
  s.x0 = plot.x0 + w * i;
  s.x1 = s.x0 + w;
  float gap = std::max(1.0f, w * 0.2f);
  float bw = std::min(max_bar, std::max(1.0f, w - gap));
  float c = (s.x0 + s.x1) * 0.5f;
  s.bar0 = c - bw * 0.5f;
  s.bar1 = c + bw * 0.5f;
  return s;
}

int index_at(const Rect& plot, int n, float x) {
  if (n <= 0 || x < plot.x0 || x >= plot.x1 || plot.width() <= 0) return -1;
  int i = static_cast<int>((x - plot.x0) / (plot.width() / n));
  return std::clamp(i, 0, n - 1);
}

float point_x(const Rect& plot, int n, int i) {
  if (n <= 0) return plot.x0;
  float w = plot.width() / n;
  return plot.x0 + w * (i + 0.5f);
}

int nearest_point(const Rect& plot, int n, float x) {
  if (n <= 0 || plot.width() <= 0) return -1;
  if (x < plot.x0 || x > plot.x1) return -1;
  return std::clamp(static_cast<int>((x - plot.x0) / (plot.width() / n)), 0, n - 1);
}

int label_stride(const Rect& plot, int n, float label_width, float gap) {
  if (n <= 0 || plot.width() <= 0) return 1;
  float slot = plot.width() / n;
  int k = static_cast<int>(std::ceil((label_width + gap) / std::max(slot, 1e-3f)));
  return std::max(k, 1);
}

std::vector<std::vector<Segment>> stack_series(const std::vector<std::vector<double>>& series,
                                               const std::vector<bool>& visible) {
  std::size_t n = 0;
  for (const auto& s : series) n = std::max(n, s.size());
  std::vector<double> running(n, 0.0);
  std::vector<std::vector<Segment>> out(series.size(), std::vector<Segment>(n));
  for (std::size_t s = 0; s < series.size(); ++s) {
    bool vis = s >= visible.size() || visible[s];
    for (std::size_t i = 0; i < n; ++i) {
      double v = (vis && i < series[s].size()) ? std::max(0.0, series[s][i]) : 0.0;
      out[s][i] = {running[i], running[i] + v};
      running[i] += v;
    }
  }
  return out;
}

double stacked_max(const std::vector<std::vector<double>>& series, const std::vector<bool>& visible) {
  auto st = stack_series(series, visible);
  double m = 0;
  if (!st.empty())
    for (const auto& seg : st.back()) m = std::max(m, seg.top);
  return m;
}

double series_max(const std::vector<std::vector<double>>& series, const std::vector<bool>& visible) {
  double m = 0;
  for (std::size_t s = 0; s < series.size(); ++s) {
    if (s < visible.size() && !visible[s]) continue;
    for (double v : series[s]) m = std::max(m, v);
  }
  return m;
}

}  // namespace costdeck::chart
