// Costs: daily cost stacked by model, cost by model (bars and a token table), cost by
// operation type, and the most expensive sessions and activities.
#include <algorithm>

#include "panels/export.hpp"
#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

constexpr ImGuiTableFlags kTableFlags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                        ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY |
                                        ImGuiTableFlags_PadOuterX;

void mono_right(const std::string& s) {
  ImGui::PushFont(fonts().mono);
  text_right(s);
  ImGui::PopFont();
}

void model_table(const Snapshot& s) {
  if (!ImGui::BeginTable("model_table", 7, kTableFlags)) return;
  note_table("model_table");
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Model", ImGuiTableColumnFlags_WidthStretch, 2.2f);
  for (const char* c : {"Input", "Output", "Cache write", "Cache read", "Cost", "Share"})
    ImGui::TableSetupColumn(c, ImGuiTableColumnFlags_WidthStretch, 1.0f);
  headers_row({1, 2, 3, 4, 5, 6});
  for (std::size_t i = 0; i < s.by_model.rows.size(); ++i) {
    const auto& r = s.by_model.rows[i];
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImVec2 p = ImGui::GetCursorScreenPos();
    float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + h * 0.2f), ImVec2(p.x + h * 0.6f, p.y + h * 0.8f),
                                              series_color(static_cast<int>(i)), 2.0f);
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + h * 0.9f);
    bool unpriced = false;
    for (const auto& m : r.models) unpriced = unpriced || !m.priced;
    ImGui::TextUnformatted((short_model_name(r.key) + (unpriced ? "  (no price)" : "")).c_str());
    const auto& t = r.totals.tokens;
    for (std::int64_t v : {t.input, t.output, t.cache_write(), t.cache_read}) {
      ImGui::TableNextColumn();
      mono_right(chart::format_tokens(static_cast<double>(v)));
    }
    ImGui::TableNextColumn();
    mono_right(chart::format_usd(r.totals.cost));
    ImGui::TableNextColumn();
    mono_right(chart::format_percent(s.range_cost > 0 ? r.totals.cost / s.range_cost : 0));
  }
  ImGui::EndTable();
}

void top_sessions(const Snapshot& s, AppState& st) {
  if (!ImGui::BeginTable("top_sessions", 4, kTableFlags | ImGuiTableFlags_ScrollY)) return;
  note_table("top_sessions");
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Project", ImGuiTableColumnFlags_WidthStretch, 2.0f);
  ImGui::TableSetupColumn("Last activity", ImGuiTableColumnFlags_WidthStretch, 1.3f);
  ImGui::TableSetupColumn("Tokens", ImGuiTableColumnFlags_WidthStretch, 0.8f);
  ImGui::TableSetupColumn("Cost", ImGuiTableColumnFlags_WidthStretch, 0.8f);
  headers_row({2, 3});
  for (std::size_t k = 0; k < s.sessions_by_cost.size() && k < 10; ++k) {
    const SessionEntry& e = s.sessions[s.sessions_by_cost[k]];
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushID(static_cast<int>(k));
    std::string label = short_path(e.row.project.empty() ? e.row.project_path : e.row.project, 34);
    if (ImGui::Selectable(label.c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) {
      st.selected_session = e.row.key;
      st.view = View::Sessions;
    }
    ImGui::PopID();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(chart::format_relative(e.row.last_ms, st.now_ms ? st.now_ms : s.now_ms).c_str());
    ImGui::TableNextColumn();
    mono_right(chart::format_tokens(static_cast<double>(e.row.totals.tokens.total())));
    ImGui::TableNextColumn();
    mono_right(chart::format_usd(e.row.totals.cost));
  }
  ImGui::EndTable();
}

void top_runs(const Snapshot& s) {
  if (s.top.runs.empty()) {
    text_dim("No runs recorded in this range.");
    return;
  }
  if (!ImGui::BeginTable("top_runs", 4, kTableFlags)) return;
  note_table("top_runs");
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Activity", ImGuiTableColumnFlags_WidthStretch, 2.6f);
  ImGui::TableSetupColumn("Type", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("Tier", ImGuiTableColumnFlags_WidthStretch, 0.8f);
  ImGui::TableSetupColumn("Cost", ImGuiTableColumnFlags_WidthStretch, 0.8f);
  headers_row({3});
  for (const auto& r : s.top.runs) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(
        fit_text(r.title.empty() ? r.key : r.title, ImGui::GetContentRegionAvail().x).c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\n%s · %s", r.title.c_str(), r.session.c_str(), r.model.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.operation.empty() ? "—" : r.operation.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.tier.empty() ? "—" : r.tier.c_str());
    ImGui::TableNextColumn();
    mono_right(r.has_cost ? chart::format_usd(r.cost_usd) : "no price");
  }
  ImGui::EndTable();
}

}  // namespace

void draw_costs(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  if (begin_panel(st, "costs.daily", "Daily cost by model", ImVec2(0, 320 * sc))) {
    chart::ChartData d;
    d.x_labels = s.daily.labels;
    d.x_tooltips = s.daily.days;
    for (std::size_t i = 0; i < s.daily.models.size(); ++i)
      d.series.push_back({short_model_name(s.daily.models[i]), s.daily.cost_by_model[i], 0});
    chart::ChartOptions o;
    o.stacked = true;
    o.height = 0;
    chart::bar_chart("daily_by_model", d, o);
    end_panel();
  }
  const float half = column_width(2);
  const std::size_t rows = std::max<std::size_t>({std::min<std::size_t>(s.by_model.rows.size(), 8),
                                                   std::min<std::size_t>(s.operations.size(), 8), 3});
  const float row_h = (56 + 26 * static_cast<float>(rows)) * sc;
  if (begin_panel(st, "costs.models", "Cost by model", ImVec2(half, row_h))) {
    std::vector<chart::HBarItem> items;
    for (std::size_t i = 0; i < s.by_model.rows.size() && i < 8; ++i) {
      const auto& r = s.by_model.rows[i];
      items.push_back({short_model_name(r.key), r.totals.cost,
                       chart::format_percent(s.range_cost > 0 ? r.totals.cost / s.range_cost : 0, 0),
                       series_color(static_cast<int>(i))});
    }
    chart::hbar_list("models", items, chart::Format::Usd);
    end_panel();
  }
  ImGui::SameLine();
  if (begin_panel(st, "costs.operations", "Cost by operation type", ImVec2(half, row_h))) {
    std::vector<chart::HBarItem> items;
    for (std::size_t i = 0; i < s.operations.size() && i < 8; ++i) {
      const auto& o = s.operations[i];
      items.push_back({o.operation, o.cost, std::to_string(o.runs) + " runs", series_color(static_cast<int>(i) + 4)});
    }
    if (items.empty()) text_dim("No runs recorded in this range: operation types come from runs.");
    else chart::hbar_list("operations", items, chart::Format::Usd);
    end_panel();
  }
  if (begin_panel(st, "costs.model_table", "Tokens and cost by model",
                  ImVec2(0, (70 + 24 * std::min<std::size_t>(s.by_model.rows.size(), 8)) * sc))) {
    export_buttons(st, s, "model_table");
    model_table(s);
    end_panel();
  }
  const float top_h = 330 * sc;
  if (begin_panel(st, "costs.top_sessions", "Most expensive sessions", ImVec2(half, top_h))) {
    export_buttons(st, s, "top_sessions");
    top_sessions(s, st);
    end_panel();
  }
  ImGui::SameLine();
  if (begin_panel(st, "costs.top_runs", "Most expensive activities", ImVec2(half, top_h))) {
    export_buttons(st, s, "top_runs");
    top_runs(s);
    end_panel();
  }
}

}  // namespace costdeck::ui
