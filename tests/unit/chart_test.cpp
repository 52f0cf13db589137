// Chart geometry and formatting: pure functions, no window.
#include <gtest/gtest.h>

#include "panels/chart.hpp"

using namespace costdeck::chart;

// Ticks use 1-2-5 steps and cover the data.
TEST(ChartTicks, NiceStepsCoverTheRange) {
  Ticks t = nice_ticks(0, 87.3, 5);
  EXPECT_DOUBLE_EQ(t.step, 20);
  EXPECT_DOUBLE_EQ(t.lo, 0);
  EXPECT_DOUBLE_EQ(t.hi, 100);
  ASSERT_EQ(t.values.size(), 6u);
  EXPECT_DOUBLE_EQ(t.values[3], 60);

  Ticks small = nice_ticks(0, 0.37, 4);
  EXPECT_DOUBLE_EQ(small.step, 0.1);
  EXPECT_GE(small.hi, 0.37);

  Ticks big = nice_ticks(0, 1'234'567, 5);
  EXPECT_DOUBLE_EQ(big.step, 200'000);
  EXPECT_DOUBLE_EQ(big.hi, 1'400'000);
}

TEST(ChartTicks, NiceNumberRounding) {
  EXPECT_DOUBLE_EQ(nice_number(3.2, false), 5);
  EXPECT_DOUBLE_EQ(nice_number(3.2, true), 5);
  EXPECT_DOUBLE_EQ(nice_number(1.2, true), 1);
  EXPECT_DOUBLE_EQ(nice_number(0.021, false), 0.05);
  EXPECT_DOUBLE_EQ(nice_number(7.5, true), 10);
}

// A single value (or all zeros) still gets an axis with room above it.
TEST(ChartTicks, DegenerateRangeIsWidened) {
  Ticks z = nice_ticks(0, 0, 4);
  EXPECT_DOUBLE_EQ(z.lo, 0);
  EXPECT_GT(z.hi, 0);
  Ticks one = nice_ticks(5, 5, 4);
  EXPECT_LT(one.lo, 5);
  EXPECT_GT(one.hi, 5);
  Ticks rev = nice_ticks(10, 0, 5);
  EXPECT_DOUBLE_EQ(rev.lo, 0);
  EXPECT_DOUBLE_EQ(rev.hi, 10);
}

TEST(ChartGeometry, ValueToPixel) {
  Rect plot{0, 100, 200, 300};
  EXPECT_FLOAT_EQ(value_to_y(0, 0, 10, plot), 300);
  EXPECT_FLOAT_EQ(value_to_y(10, 0, 10, plot), 100);
  EXPECT_FLOAT_EQ(value_to_y(5, 0, 10, plot), 200);
  EXPECT_FLOAT_EQ(value_to_y(5, 3, 3, plot), 300);  // empty range: baseline
}

TEST(ChartGeometry, PlotAreaLeavesRoomForLabels) {
  Rect p = plot_area(Rect{0, 0, 400, 200}, 40, 16, 20, 4);
  EXPECT_FLOAT_EQ(p.x0, 44);
  EXPECT_FLOAT_EQ(p.x1, 396);
  EXPECT_FLOAT_EQ(p.y0, 24);
  EXPECT_FLOAT_EQ(p.y1, 180);
  Rect tiny = plot_area(Rect{0, 0, 10, 10}, 40, 16, 20, 4);
  EXPECT_GE(tiny.width(), 0);
  EXPECT_GE(tiny.height(), 0);
}

TEST(ChartGeometry, BarSlotsAndHitTesting) {
  Rect plot{100, 0, 500, 100};  // 400 px, 10 bars of 40 px slots
  BarSlot s = bar_slot(plot, 10, 3);
  EXPECT_FLOAT_EQ(s.x0, 220);
  EXPECT_FLOAT_EQ(s.x1, 260);
  EXPECT_GT(s.bar0, s.x0);
  EXPECT_LT(s.bar1, s.x1);
  EXPECT_NEAR((s.bar0 + s.bar1) / 2, 240, 1e-3);
  // One bar is capped in width and centred rather than filling the plot.
  BarSlot one = bar_slot(plot, 1, 0, 48);
  EXPECT_FLOAT_EQ(one.bar1 - one.bar0, 48);
  EXPECT_NEAR((one.bar0 + one.bar1) / 2, 300, 1e-3);

  EXPECT_EQ(index_at(plot, 10, 99), -1);
  EXPECT_EQ(index_at(plot, 10, 100), 0);
  EXPECT_EQ(index_at(plot, 10, 239), 3);
  EXPECT_EQ(index_at(plot, 10, 499.9f), 9);
  EXPECT_EQ(index_at(plot, 10, 500), -1);
  EXPECT_EQ(index_at(plot, 0, 200), -1);
}

TEST(ChartGeometry, LinePointsAndNearest) {
  Rect plot{0, 0, 100, 50};
  EXPECT_FLOAT_EQ(point_x(plot, 4, 0), 12.5f);
  EXPECT_FLOAT_EQ(point_x(plot, 4, 3), 87.5f);
  EXPECT_EQ(nearest_point(plot, 4, 10), 0);
  EXPECT_EQ(nearest_point(plot, 4, 60), 2);
  EXPECT_EQ(nearest_point(plot, 4, 101), -1);
  EXPECT_FLOAT_EQ(point_x(plot, 1, 0), 50);  // a single point sits in the middle
}

TEST(ChartGeometry, LabelStrideAvoidsOverlap) {
  Rect plot{0, 0, 300, 10};
  EXPECT_EQ(label_stride(plot, 5, 40), 1);   // 60 px slots fit 40+8
  EXPECT_EQ(label_stride(plot, 30, 40), 5);  // 10 px slots need 5 per label
  EXPECT_EQ(label_stride(plot, 0, 40), 1);
}

// Hidden series leave no gap; negative values do not push segments down.
TEST(ChartStacking, SegmentsStackOnVisibleSeries) {
  std::vector<std::vector<double>> s = {{1, 2, 3}, {4, -1, 0}, {10, 10, 10}};
  auto st = stack_series(s, {true, true, true});
  EXPECT_DOUBLE_EQ(st[0][0].bottom, 0);
  EXPECT_DOUBLE_EQ(st[0][0].top, 1);
  EXPECT_DOUBLE_EQ(st[1][0].bottom, 1);
  EXPECT_DOUBLE_EQ(st[1][0].top, 5);
  EXPECT_DOUBLE_EQ(st[1][1].top, st[1][1].bottom);  // negative: empty segment
  EXPECT_DOUBLE_EQ(st[2][0].bottom, 5);
  EXPECT_DOUBLE_EQ(stacked_max(s, {true, true, true}), 15);

  auto hidden = stack_series(s, {true, false, true});
  EXPECT_DOUBLE_EQ(hidden[1][0].top - hidden[1][0].bottom, 0);
  EXPECT_DOUBLE_EQ(hidden[2][0].bottom, 1);
  EXPECT_DOUBLE_EQ(stacked_max(s, {true, false, true}), 13);
  EXPECT_DOUBLE_EQ(series_max(s, {false, true, false}), 4);
}

TEST(ChartFormat, Money) {
  EXPECT_EQ(format_usd(0), "$0.00");
  EXPECT_EQ(format_usd(0.56), "$0.56");
  EXPECT_EQ(format_usd(1234.567), "$1,234.57");
  EXPECT_EQ(format_usd(0.0042), "$0.0042");
  EXPECT_EQ(format_usd(-12.5), "-$12.50");
  EXPECT_EQ(format_usd_compact(15), "$15.00");
  EXPECT_EQ(format_usd_compact(12'345), "$12.3k");
  EXPECT_EQ(format_usd_compact(2'000'000), "$2M");
}

TEST(ChartFormat, TokensDurationsPercent) {
  EXPECT_EQ(format_tokens(950), "950");
  EXPECT_EQ(format_tokens(8'000), "8k");
  EXPECT_EQ(format_tokens(8'400), "8.4k");
  EXPECT_EQ(format_tokens(45'600), "46k");
  EXPECT_EQ(format_tokens(1'234'567), "1.2M");
  EXPECT_EQ(format_tokens(3'400'000'000.0), "3.4B");
  // Rounding never shows 1000 of a unit: it is the next unit.
  EXPECT_EQ(format_tokens(999.4), "999");
  EXPECT_EQ(format_tokens(999.6), "1k");
  EXPECT_EQ(format_tokens(999'400), "999k");
  EXPECT_EQ(format_tokens(999'700), "1M");
  EXPECT_EQ(format_tokens(999'600'000), "1B");
  EXPECT_EQ(format_tokens(-999'700), "-1M");
  EXPECT_EQ(format_usd_compact(999'700), "$1M");
  EXPECT_EQ(format_duration_ms(850), "850 ms");
  EXPECT_EQ(format_duration_ms(1500), "1.50 s");
  EXPECT_EQ(format_duration_ms(12'300), "12.3 s");
  EXPECT_EQ(format_duration_ms(270'000), "4.5 min");
  EXPECT_EQ(format_duration_ms(7'560'000), "2.1 h");
  EXPECT_EQ(format_percent(0.953), "95.3%");
  EXPECT_EQ(format_count(1234567), "1,234,567");
}

TEST(ChartFormat, TicksDatesAndRelativeTimes) {
  EXPECT_EQ(format_tick(0.5, 0.5, Format::Usd), "$0.5");
  EXPECT_EQ(format_tick(0.25, 0.05, Format::Usd), "$0.25");
  EXPECT_EQ(format_tick(20, 10, Format::Usd), "$20");
  EXPECT_EQ(format_tick(0.5, 0.1, Format::Percent), "50%");
  EXPECT_EQ(format_tick(2'000'000, 500'000, Format::Tokens), "2M");
  EXPECT_EQ(format_date_label("2025-01-05"), "Jan 5");
  EXPECT_EQ(format_date_label("2025-11"), "Nov 2025");
  EXPECT_EQ(format_date_label("garbage"), "garbage");
  const std::int64_t now = 1'700'000'000'000;
  EXPECT_EQ(format_relative(now - 10'000, now), "just now");
  EXPECT_EQ(format_relative(now - 2 * 3'600'000, now), "2 hours ago");
  EXPECT_EQ(format_relative(now - 60'000, now), "1 minute ago");
  EXPECT_EQ(format_relative(now - 3 * 86'400'000LL, now), "3 days ago");
  EXPECT_EQ(format_change(110, 100), "+10.0%");
  EXPECT_EQ(format_change(90, 100), "−10.0%");
  EXPECT_EQ(format_change(5, 0), "new");
  EXPECT_EQ(format_change(0, 0), "—");
}

// A short chart gets fewer y labels instead of labels on top of each other; a tall one
// keeps the usual count.
TEST(ChartTicks, FittedToTheHeight) {
  Ticks tall = fitted_ticks(0, 42, 200, 19);
  EXPECT_EQ(tall.values.size(), nice_ticks(0, 42, 4).values.size());
  Ticks short_axis = fitted_ticks(0, 42, 75, 19);
  ASSERT_GE(short_axis.values.size(), 2u);
  EXPECT_GE(75.0f / static_cast<float>(short_axis.values.size() - 1), 19.0f);
  EXPECT_GE(short_axis.hi, 42);
  // No room at all: still an axis from the bottom to above the data.
  Ticks none = fitted_ticks(0, 42, 5, 19);
  EXPECT_GE(none.values.size(), 2u);
  EXPECT_GE(none.hi, 42);
}
