// Runtimes: Claude Code against Codex (and whatever else records runs) side by side: tasks,
// success rate, duration, cost, cost per task and tokens; daily cost and success rate per
// runtime; the operations of the selected runtime.
#include <algorithm>
#include <cmath>
#include <map>

#include "panels/export.hpp"
#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

constexpr ImGuiTableFlags kTableFlags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                        ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_PadOuterX;

// The daily series of every runtime on one day axis, rebuilt once per snapshot version.
struct Aligned {
  const Snapshot* snap = nullptr;
  std::uint64_t version = 0;
  std::vector<std::string> days, labels;
  std::vector<std::vector<double>> cost, rate;  // [runtime][day]
};
Aligned g_aligned;
std::string g_selected;  // runtime whose operations are listed

void mono_right(const std::string& s) {
  ImGui::PushFont(fonts().mono);
  text_right(s);
  ImGui::PopFont();
}

const Aligned& aligned(const Snapshot& s) {
  if (g_aligned.version == s.version && g_aligned.snap == &s) return g_aligned;
  Aligned a;
  a.snap = &s;
  a.version = s.version;
  std::map<std::string, std::size_t> idx;
  for (const auto& r : s.runtimes)
    for (const auto& d : r.daily) idx.emplace(d.day, 0);
  std::size_t i = 0;
  for (auto& [day, k] : idx) {
    k = i++;
    a.days.push_back(day);
    a.labels.push_back(chart::format_date_label(day));
  }
  for (const auto& r : s.runtimes) {
    std::vector<double> cost(a.days.size(), 0.0), rate(a.days.size(), -1.0);
    for (const auto& d : r.daily) {
      cost[idx[d.day]] = d.cost;
      rate[idx[d.day]] = d.success_rate;
    }
    // A day without runs of this runtime keeps its last known rate: no dip to 0%.
    double last = r.success_rate;
    for (double& v : rate) v = v < 0 ? last : (last = v);
    a.cost.push_back(std::move(cost));
    a.rate.push_back(std::move(rate));
  }
  g_aligned = std::move(a);
  return g_aligned;
}

void comparison(const Snapshot& s, AppState& st, float h) {
  if (!begin_panel(st, "runtimes.table", "Runtime comparison", ImVec2(0, h))) return;
  export_buttons(st, s, "runtimes_table");
  if (s.runtimes.empty()) {
    text_dim(
        "No runs in this range. Runs come from session files and from `costdeck record` / `costdeck "
        "import`.");
    note_text("No runs in this range");
    end_panel();
    return;
  }
  if (ImGui::BeginTable("runtimes_table", 7, kTableFlags)) {
    note_table("runtimes_table");
    ImGui::TableSetupColumn("Runtime", 0, 1.4f);
    for (const char* c : {"Tasks", "Success rate", "Avg duration", "Total cost", "Cost / task", "Tokens"})
      ImGui::TableSetupColumn(c, 0, 1.0f);
    headers_row({1, 2, 3, 4, 5, 6});
    for (std::size_t i = 0; i < s.runtimes.size(); ++i) {
      const auto& r = s.runtimes[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImVec2 p = ImGui::GetCursorScreenPos();
      float lh = ImGui::GetTextLineHeight();
      ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + lh * 0.2f),
                                                ImVec2(p.x + lh * 0.6f, p.y + lh * 0.8f),
                                                series_color(static_cast<int>(i)), 2.0f);
      ImGui::SetCursorPosX(ImGui::GetCursorPosX() + lh * 0.9f);
      ImGui::PushID(static_cast<int>(i));
      if (ImGui::Selectable(r.runtime.c_str(), r.runtime == g_selected, ImGuiSelectableFlags_SpanAllColumns))
        g_selected = r.runtime;
      ImGui::PopID();
      note_text(r.runtime);
      ImGui::TableNextColumn();
      mono_right(chart::format_count(static_cast<double>(r.tasks)));
      ImGui::TableNextColumn();
      mono_right(chart::format_percent(r.success_rate));
      ImGui::TableNextColumn();
      mono_right(chart::format_duration_ms(r.avg_duration_ms));
      ImGui::TableNextColumn();
      mono_right(chart::format_usd(r.cost));
      note_text(chart::format_usd(r.cost));
      ImGui::TableNextColumn();
      mono_right(chart::format_usd(r.cost_per_task));
      ImGui::TableNextColumn();
      mono_right(chart::format_tokens(static_cast<double>(r.tokens.total())));
    }
    ImGui::EndTable();
  }
  end_panel();
}

void charts(const Snapshot& s, AppState& st, float h) {
  const Aligned& a = aligned(s);
  const float w = column_width(2);
  for (int which = 0; which < 2; ++which) {
    if (which) ImGui::SameLine();
    const bool cost = which == 0;
    if (!begin_panel(st, cost ? "runtimes.cost" : "runtimes.success",
                     cost ? "Daily cost by runtime" : "Success rate by runtime", ImVec2(w, h)))
      continue;
    chart::ChartData d;
    d.x_labels = a.labels;
    d.x_tooltips = a.days;
    d.format = cost ? chart::Format::Usd : chart::Format::Percent;
    for (std::size_t i = 0; i < s.runtimes.size(); ++i)
      d.series.push_back(
          {s.runtimes[i].runtime, cost ? a.cost[i] : a.rate[i], series_color(static_cast<int>(i))});
    chart::ChartOptions o;
    o.height = 0;
    o.empty_text = "No runs in this range";
    if (cost) {
      o.stacked = true;
      chart::bar_chart("cost", d, o);
    } else {
      o.y_min = 0;
      o.y_max = 1.0;
      chart::line_chart("rate", d, o);
    }
    end_panel();
  }
}

void operations(const Snapshot& s, AppState& st, float h) {
  const runs::RuntimeRow* sel = nullptr;
  for (const auto& r : s.runtimes)
    if (r.runtime == g_selected) sel = &r;
  if (!sel && !s.runtimes.empty()) sel = &s.runtimes.front();
  std::string title = sel ? "Operations of " + sel->runtime : std::string("Operations");
  if (!begin_panel(st, "runtimes.operations", title.c_str(), ImVec2(0, h))) return;
  if (!sel) {
    text_dim("Select a runtime above to see its operations.");
    end_panel();
    return;
  }
  export_buttons(st, s, "runtime_operations", sel->runtime);
  const float left = std::floor(ImGui::GetContentRegionAvail().x * 0.62f);
  ImGui::BeginChild("ops_table", ImVec2(left, 0), false);
  if (ImGui::BeginTable("runtime_operations", 6, kTableFlags | ImGuiTableFlags_ScrollY)) {
    note_table("runtime_operations");
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Operation", 0, 1.6f);
    for (const char* c : {"Runs", "Success", "Avg duration", "Cost", "Share"})
      ImGui::TableSetupColumn(c, 0, 1.0f);
    headers_row({1, 2, 3, 4, 5});
    for (const auto& o : sel->operations) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(o.operation.c_str());
      ImGui::TableNextColumn();
      mono_right(chart::format_count(static_cast<double>(o.runs)));
      ImGui::TableNextColumn();
      mono_right(chart::format_percent(o.success_rate));
      ImGui::TableNextColumn();
      mono_right(chart::format_duration_ms(o.avg_duration_ms));
      ImGui::TableNextColumn();
      mono_right(chart::format_usd(o.cost));
      ImGui::TableNextColumn();
      mono_right(chart::format_percent(o.share));
    }
    ImGui::EndTable();
  }
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("ops_bars", ImVec2(0, 0), false);
  text_dim("Cost by operation");
  std::vector<chart::HBarItem> items;
  for (std::size_t i = 0; i < sel->operations.size() && i < 8; ++i) {
    const auto& o = sel->operations[i];
    items.push_back(
        {o.operation, o.cost, chart::format_percent(o.share, 0), series_color(static_cast<int>(i) + 2)});
  }
  chart::hbar_list("ops", items, chart::Format::Usd);
  ImGui::EndChild();
  end_panel();
}

}  // namespace

void draw_runtimes(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  const std::size_t n = std::max<std::size_t>(s.runtimes.size(), 1);
  const float table_h = (70 + 26 * static_cast<float>(std::min<std::size_t>(n, 8))) * sc;
  comparison(s, st, table_h);
  // The operations panel is as tall as its rows; the charts take what is left.
  std::size_t ops = 1;
  for (const auto& r : s.runtimes)
    if (r.runtime == g_selected || (g_selected.empty() && &r == &s.runtimes.front()))
      ops = std::max(ops, r.operations.size());
  const float ops_h = std::max(200.0f, 86 + 26 * static_cast<float>(std::min<std::size_t>(ops, 10))) * sc;
  const float gap = ImGui::GetStyle().ItemSpacing.y;
  charts(s, st, std::max(240 * sc, ImGui::GetContentRegionAvail().y - ops_h - gap - 2));
  operations(s, st, std::max(ops_h, ImGui::GetContentRegionAvail().y - 2));
}

}  // namespace costdeck::ui
