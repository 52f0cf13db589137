// ImDrawList rendering of the chart module; all geometry comes from chart.cpp.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panels/chart.hpp"
#include "panels/style.hpp"

namespace costdeck::chart {

namespace {

float ui_scale() { return ImGui::GetFontSize() / 15.0f; }

ImFont* small_font() {
  ImFont* f = ui::fonts().small;
  return f ? f : ImGui::GetFont();
}

ImVec2 text_size(ImFont* f, const std::string& s) {
  return f->CalcTextSizeA(f->FontSize, FLT_MAX, 0.0f, s.c_str());
}

ImU32 color_of(const Series& s, int i) { return s.color ? s.color : ui::series_color(i); }

ImU32 with_alpha(ImU32 c, float a) {
  ImU32 alpha = static_cast<ImU32>(((c >> IM_COL32_A_SHIFT) & 0xFF) * a);
  return (c & ~IM_COL32_A_MASK) | (alpha << IM_COL32_A_SHIFT);
}

ImGuiID hidden_key(std::size_t i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "##hidden%zu", i);
  return ImGui::GetID(buf);
}

// Legend entries are buttons: a click hides or shows the series. State survives frames in
// ImGui's storage, keyed under the chart's id.
std::vector<bool> legend(const ChartData& data, bool draw) {
  ImGuiStorage* st = ImGui::GetStateStorage();
  std::vector<bool> visible(data.series.size(), true);
  for (std::size_t i = 0; i < data.series.size(); ++i)
    visible[i] = !st->GetBool(hidden_key(i), false);
  if (!draw || data.series.size() < 2) return visible;
  const float s = ui_scale();
  ImFont* f = small_font();
  const float avail = ImGui::GetContentRegionAvail().x;
  float x_used = 0;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (std::size_t i = 0; i < data.series.size(); ++i) {
    const std::string& name = data.series[i].name;
    ImVec2 ts = text_size(f, name);
    ImVec2 sz(ts.x + 18 * s, std::max(ts.y, 12 * s) + 2 * s);
    if (i > 0) {
      if (x_used + sz.x + 12 * s < avail) ImGui::SameLine(0, 12 * s);
      else x_used = 0;
    }
    ImGui::PushID(static_cast<int>(i));
    bool clicked = ImGui::InvisibleButton("##legend", sz);
    bool hovered = ImGui::IsItemHovered();
    ImGui::PopID();
    if (clicked) {
      ImGuiID key = hidden_key(i);
      st->SetBool(key, visible[i]);  // visible -> hidden and back
      visible[i] = !visible[i];
    }
    ImVec2 p = ImGui::GetItemRectMin();
    float cy = p.y + sz.y * 0.5f;
    ImU32 col = color_of(data.series[i], static_cast<int>(i));
    if (!visible[i]) col = with_alpha(col, 0.25f);
    dl->AddRectFilled(ImVec2(p.x, cy - 5 * s), ImVec2(p.x + 10 * s, cy + 5 * s), col, 2 * s);
    ImU32 tc = visible[i] ? ui::palette().text_dim : with_alpha(ui::palette().text_dim, 0.45f);
    if (hovered) tc = ui::palette().text;
    dl->AddText(f, f->FontSize, ImVec2(p.x + 15 * s, cy - ts.y * 0.5f), tc, name.c_str());
    x_used += sz.x + 12 * s;
  }
  return visible;
}

// Height 0 fills what is left below the legend, so a chart never overflows its panel.
float chart_height(const ChartOptions& opts) {
  if (opts.height > 0) return opts.height * ui_scale();
  return std::max(ImGui::GetContentRegionAvail().y - 2.0f, 60.0f * ui_scale());
}

struct Frame {
  Rect outer, plot;
  Ticks ticks;
  bool hovered = false;
  ImVec2 mouse;
};

bool all_empty(const ChartData& d) {
  if (d.x_labels.empty() || d.series.empty()) return true;
  for (const auto& s : d.series)
    for (double v : s.values)
      if (v != 0) return false;
  return true;
}

void draw_empty(const char* id, const ChartOptions& opts, const char* text) {
  const float s = ui_scale();
  ImVec2 size(ImGui::GetContentRegionAvail().x, chart_height(opts));
  ImGui::InvisibleButton(id, ImVec2(std::max(size.x, 1.0f), size.y));
  ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRect(a, b, ui::palette().grid, 6 * s, 0, 1.0f);
  ImVec2 ts = ImGui::CalcTextSize(text);
  dl->AddText(ImVec2((a.x + b.x - ts.x) * 0.5f, (a.y + b.y - ts.y) * 0.5f), ui::palette().text_dim, text);
}

// Reserves the chart's rectangle, computes ticks and the plot area, draws grid and labels.
Frame begin_frame(const char* id, const ChartData& data, const ChartOptions& opts, double lo, double hi) {
  const float s = ui_scale();
  Frame fr;
  ImVec2 size(std::max(ImGui::GetContentRegionAvail().x, 50.0f), chart_height(opts));
  ImGui::InvisibleButton(id, size);
  fr.hovered = ImGui::IsItemHovered();
  fr.mouse = ImGui::GetIO().MousePos;
  ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  fr.outer = {a.x, a.y, b.x, b.y};
  ImFont* f = small_font();
  // The plot's height does not depend on the labels' width, so the ticks can be fitted first.
  const float plot_h = plot_area(fr.outer, 0, f->FontSize + 4 * s, 0, 4 * s).height();
  const bool fixed = opts.y_max > opts.y_min;
  fr.ticks = fitted_ticks(fixed ? opts.y_min : lo, fixed ? opts.y_max : hi, plot_h, f->FontSize * 1.5f);
  if (fixed) fr.ticks.lo = opts.y_min, fr.ticks.hi = opts.y_max;
  float label_w = opts.y_label_room ? text_size(f, opts.y_label_room).x : 0.0f;
  std::vector<std::string> labels;
  for (double v : fr.ticks.values) {
    labels.push_back(format_tick(v, fr.ticks.step, data.format));
    label_w = std::max(label_w, text_size(f, labels.back()).x);
  }
  fr.plot = plot_area(fr.outer, label_w + 6 * s, f->FontSize + 4 * s, 0, 4 * s);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const auto& pal = ui::palette();
  for (std::size_t i = 0; i < fr.ticks.values.size(); ++i) {
    float y = std::round(value_to_y(fr.ticks.values[i], fr.ticks.lo, fr.ticks.hi, fr.plot)) + 0.5f;
    dl->AddLine(ImVec2(fr.plot.x0, y), ImVec2(fr.plot.x1, y), i == 0 ? pal.axis : pal.grid, 1.0f);
    ImVec2 ts = text_size(f, labels[i]);
    dl->AddText(f, f->FontSize, ImVec2(fr.plot.x0 - 6 * s - ts.x, y - ts.y * 0.5f), pal.text_dim, labels[i].c_str());
  }
  // X labels, thinned so they never overlap.
  int n = static_cast<int>(data.x_labels.size());
  float widest = 0;
  for (const auto& l : data.x_labels) widest = std::max(widest, text_size(f, l).x);
  int stride = label_stride(fr.plot, n, widest);
  // Anchored on the last point, so the newest day always has its label.
  for (int idx = n - 1; idx >= 0; idx -= stride) {
    ImVec2 ts = text_size(f, data.x_labels[idx]);
    float cx = point_x(fr.plot, n, idx);
    float x = std::clamp(cx - ts.x * 0.5f, fr.outer.x0, fr.outer.x1 - ts.x);
    dl->AddText(f, f->FontSize, ImVec2(x, fr.plot.y1 + 4 * s), pal.text_dim, data.x_labels[idx].c_str());
  }
  return fr;
}

void tooltip(const ChartData& data, const std::vector<bool>& visible, int idx, bool total) {
  ImGui::BeginTooltip();
  const std::string& title =
      idx < static_cast<int>(data.x_tooltips.size()) ? data.x_tooltips[idx] : data.x_labels[idx];
  ImGui::PushFont(ui::fonts().bold ? ui::fonts().bold : ImGui::GetFont());
  ImGui::TextUnformatted(title.c_str());
  ImGui::PopFont();
  double sum = 0;
  int shown = 0;
  const float s = ui_scale();
  for (std::size_t k = data.series.size(); k-- > 0;) {  // top of the stack first
    if (!visible[k] || idx >= static_cast<int>(data.series[k].values.size())) continue;
    double v = data.series[k].values[idx];
    sum += v;
    if (v == 0 && data.series.size() > 6) continue;  // long legends: skip empty rows
    ImVec2 p = ImGui::GetCursorScreenPos();
    float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + h * 0.25f), ImVec2(p.x + h * 0.5f, p.y + h * 0.75f),
                                              color_of(data.series[k], static_cast<int>(k)), 2 * s);
    ImGui::Dummy(ImVec2(h * 0.5f, h));
    ImGui::SameLine();
    ImGui::Text("%s: %s", data.series[k].name.c_str(), format_value(v, data.format).c_str());
    ++shown;
  }
  if (total && shown > 1) {
    ImGui::Separator();
    ImGui::Text("Total: %s", format_value(sum, data.format).c_str());
  }
  ImGui::EndTooltip();
}

}  // namespace

int bar_chart(const char* id, const ChartData& data, const ChartOptions& opts) {
  ImGui::PushID(id);
  ImGui::BeginGroup();
  std::vector<bool> visible = legend(data, opts.legend);
  int hovered_idx = -1;
  if (all_empty(data)) {
    draw_empty("##plot", opts, opts.empty_text);
  } else {
    std::vector<std::vector<double>> values;
    for (const auto& s : data.series) values.push_back(s.values);
    double top = opts.stacked ? stacked_max(values, visible) : series_max(values, visible);
    Frame fr = begin_frame("##plot", data, opts, 0, top);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int n = static_cast<int>(data.x_labels.size());
    const float s = ui_scale();
    if (fr.hovered) hovered_idx = index_at(fr.plot, n, fr.mouse.x);
    if (hovered_idx >= 0) {
      BarSlot sl = bar_slot(fr.plot, n, hovered_idx);
      dl->AddRectFilled(ImVec2(sl.x0, fr.plot.y0), ImVec2(sl.x1, fr.plot.y1), with_alpha(ui::palette().text, 0.06f));
    }
    const int ns = static_cast<int>(data.series.size());
    if (opts.stacked) {
      auto stacks = stack_series(values, visible);
      for (int k = 0; k < ns; ++k) {
        if (!visible[k]) continue;
        ImU32 col = color_of(data.series[k], k);
        for (int i = 0; i < n; ++i) {
          const Segment& seg = stacks[k][i];
          if (seg.top <= seg.bottom) continue;
          BarSlot sl = bar_slot(fr.plot, n, i, 48 * s);
          float y0 = value_to_y(seg.top, fr.ticks.lo, fr.ticks.hi, fr.plot);
          float y1 = value_to_y(seg.bottom, fr.ticks.lo, fr.ticks.hi, fr.plot);
          dl->AddRectFilled(ImVec2(sl.bar0, y0), ImVec2(sl.bar1, std::max(y1, y0 + 1.0f)), col);
        }
      }
    } else {
      // Grouped: the slot is split between the visible series.
      int nv = static_cast<int>(std::count(visible.begin(), visible.end(), true));
      for (int i = 0; i < n; ++i) {
        BarSlot sl = bar_slot(fr.plot, n, i, 48 * s * std::max(nv, 1));
        float w = (sl.bar1 - sl.bar0) / std::max(nv, 1);
        int pos = 0;
        for (int k = 0; k < ns; ++k) {
          if (!visible[k]) continue;
          double v = i < static_cast<int>(data.series[k].values.size()) ? data.series[k].values[i] : 0;
          float x0 = sl.bar0 + w * pos++;
          if (v <= 0) continue;
          float y0 = value_to_y(v, fr.ticks.lo, fr.ticks.hi, fr.plot);
          dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x0 + w - (nv > 1 ? 1.0f : 0.0f), fr.plot.y1),
                            color_of(data.series[k], k), nv > 1 ? 0.0f : 2 * s, ImDrawFlags_RoundCornersTop);
        }
      }
    }
    if (hovered_idx >= 0) tooltip(data, visible, hovered_idx, opts.stacked && opts.show_total);
  }
  ImGui::EndGroup();
  ImGui::PopID();
  return hovered_idx;
}

int line_chart(const char* id, const ChartData& data, const ChartOptions& opts) {
  ImGui::PushID(id);
  ImGui::BeginGroup();
  std::vector<bool> visible = legend(data, opts.legend);
  int hovered_idx = -1;
  if (data.x_labels.empty() || data.series.empty()) {
    draw_empty("##plot", opts, opts.empty_text);
  } else {
    std::vector<std::vector<double>> values;
    double lo = 0, hi = 0;
    for (std::size_t k = 0; k < data.series.size(); ++k) {
      values.push_back(data.series[k].values);
      if (!visible[k]) continue;
      for (double v : data.series[k].values) lo = std::min(lo, v), hi = std::max(hi, v);
    }
    Frame fr = begin_frame("##plot", data, opts, lo, hi);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int n = static_cast<int>(data.x_labels.size());
    const float s = ui_scale();
    if (fr.hovered) hovered_idx = nearest_point(fr.plot, n, fr.mouse.x);
    if (hovered_idx >= 0) {
      float x = point_x(fr.plot, n, hovered_idx);
      dl->AddLine(ImVec2(x, fr.plot.y0), ImVec2(x, fr.plot.y1), ui::palette().axis, 1.0f);
    }
    dl->PushClipRect(ImVec2(fr.plot.x0 - 4 * s, fr.plot.y0 - 4 * s), ImVec2(fr.plot.x1 + 4 * s, fr.plot.y1 + 4 * s), true);
    for (std::size_t k = 0; k < data.series.size(); ++k) {
      if (!visible[k]) continue;
      ImU32 col = color_of(data.series[k], static_cast<int>(k));
      std::vector<ImVec2> pts;
      for (int i = 0; i < n && i < static_cast<int>(data.series[k].values.size()); ++i)
        pts.emplace_back(point_x(fr.plot, n, i), value_to_y(data.series[k].values[i], fr.ticks.lo, fr.ticks.hi, fr.plot));
      if (pts.size() > 1) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), col, 0, 2.0f * s);
      // Markers when points are few enough to tell apart, and always for a single point.
      if (pts.size() <= 45)
        for (const auto& p : pts) dl->AddCircleFilled(p, (pts.size() == 1 ? 4.0f : 2.5f) * s, col);
      if (hovered_idx >= 0 && hovered_idx < static_cast<int>(pts.size()))
        dl->AddCircle(pts[hovered_idx], 5 * s, col, 0, 2.0f);
    }
    dl->PopClipRect();
    if (hovered_idx >= 0) tooltip(data, visible, hovered_idx, false);
  }
  ImGui::EndGroup();
  ImGui::PopID();
  return hovered_idx;
}

void sparkline(const char* id, const std::vector<double>& values, ImVec2 size, ImU32 color, bool fill) {
  ImGui::InvisibleButton(id, size);
  ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float s = ui_scale();
  if (values.empty()) {
    dl->AddLine(ImVec2(a.x, b.y - 1), ImVec2(b.x, b.y - 1), ui::palette().grid, 1.0f);
    return;
  }
  double hi = *std::max_element(values.begin(), values.end());
  double lo = std::min(0.0, *std::min_element(values.begin(), values.end()));
  if (hi <= lo) hi = lo + 1;
  Rect plot{a.x, a.y + 2 * s, b.x, b.y - 1};
  int n = static_cast<int>(values.size());
  std::vector<ImVec2> pts;
  for (int i = 0; i < n; ++i) {
    float x = n == 1 ? (a.x + b.x) * 0.5f : a.x + (b.x - a.x) * i / (n - 1);
    pts.emplace_back(x, value_to_y(values[i], lo, hi, plot));
  }
  if (fill && n > 1) {
    ImU32 fc = with_alpha(color, 0.18f);
    for (int i = 0; i + 1 < n; ++i)
      dl->AddQuadFilled(pts[i], pts[i + 1], ImVec2(pts[i + 1].x, plot.y1), ImVec2(pts[i].x, plot.y1), fc);
  }
  if (n > 1) dl->AddPolyline(pts.data(), n, color, 0, 1.5f * s);
  dl->AddCircleFilled(pts.back(), 2.5f * s, color);
  if (ImGui::IsItemHovered()) {
    int i = std::clamp(static_cast<int>(std::lround((ImGui::GetIO().MousePos.x - a.x) / std::max(1.0f, b.x - a.x) * (n - 1))), 0, n - 1);
    dl->AddCircle(pts[i], 4 * s, color, 0, 1.5f);
  }
}

ImU32 gauge_color(double fraction, double warn, double bad) {
  const auto& p = ui::palette();
  if (fraction >= bad) return p.bad;
  if (fraction >= warn) return p.warn;
  return p.good;
}

void gauge(const char* id, double fraction, ImVec2 size, double warn, double bad) {
  ImGui::InvisibleButton(id, size);
  ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float r = size.y * 0.5f;
  dl->AddRectFilled(a, b, ui::palette().grid, r);
  double f = std::clamp(fraction, 0.0, 1.0);
  if (f > 0) dl->AddRectFilled(a, ImVec2(a.x + std::max(static_cast<float>(f * size.x), size.y), b.y), gauge_color(fraction, warn, bad), r);
}

void hbar_list(const char* id, const std::vector<HBarItem>& items, Format f, float label_width) {
  ImGui::PushID(id);
  const float s = ui_scale();
  if (items.empty()) {
    ImGui::TextDisabled("Nothing in this range");
    ImGui::PopID();
    return;
  }
  double top = 0;
  for (const auto& it : items) top = std::max(top, it.value);
  const float avail = ImGui::GetContentRegionAvail().x;
  if (label_width <= 0) {
    for (const auto& it : items) label_width = std::max(label_width, ImGui::CalcTextSize(it.label.c_str()).x);
    label_width = std::min(label_width + 8 * s, avail * 0.38f);
  }
  float value_w = 0;
  std::vector<std::string> vals;
  for (const auto& it : items) {
    vals.push_back(f == Format::Tokens ? format_tokens(it.value) : f == Format::Usd ? format_usd(it.value) : format_tick(it.value, 1, f));
    std::string full = vals.back() + (it.detail.empty() ? "" : "  " + it.detail);
    value_w = std::max(value_w, ImGui::CalcTextSize(full.c_str()).x);
  }
  value_w += 10 * s;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float row_h = ImGui::GetTextLineHeight() + 6 * s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    ImGui::PushID(static_cast<int>(i));
    ImGui::InvisibleButton("##row", ImVec2(std::max(avail, 1.0f), row_h));
    bool hov = ImGui::IsItemHovered();
    ImGui::PopID();
    ImVec2 a = ImGui::GetItemRectMin();
    float ty = a.y + (row_h - ImGui::GetTextLineHeight()) * 0.5f;
    if (hov) dl->AddRectFilled(a, ImGui::GetItemRectMax(), with_alpha(ui::palette().text, 0.05f), 3 * s);
    ImVec4 clip(a.x, a.y, a.x + label_width - 6 * s, a.y + row_h);
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(a.x + 2 * s, ty), ui::palette().text, it.label.c_str(), nullptr, 0, &clip);
    float bx0 = a.x + label_width, bx1 = a.x + avail - value_w;
    float bw = top > 0 ? static_cast<float>((bx1 - bx0) * it.value / top) : 0;
    ImU32 col = it.color ? it.color : ui::series_color(static_cast<int>(i));
    dl->AddRectFilled(ImVec2(bx0, a.y + row_h * 0.22f), ImVec2(bx1, a.y + row_h * 0.78f), ui::palette().grid, 3 * s);
    if (bw > 0) dl->AddRectFilled(ImVec2(bx0, a.y + row_h * 0.22f), ImVec2(bx0 + std::max(bw, 2.0f), a.y + row_h * 0.78f), col, 3 * s);
    float vx = bx1 + 8 * s;
    dl->AddText(ImVec2(vx, ty), ui::palette().text, vals[i].c_str());
    if (!it.detail.empty()) {
      float w = ImGui::CalcTextSize(vals[i].c_str()).x;
      dl->AddText(ImVec2(vx + w + 6 * s, ty), ui::palette().text_dim, it.detail.c_str());
    }
    if (hov) ImGui::SetTooltip("%s\n%s", it.label.c_str(), format_value(it.value, f).c_str());
  }
  ImGui::PopID();
}

}  // namespace costdeck::chart
