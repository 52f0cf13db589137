// Tiers: per-tier tokens and cost with share, the share as bars, and the token/cost budget
// of each tier as gauges coloured by how close it is to its limit.
#include "panels/export.hpp"
#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

void mono_right(const std::string& s) {
  ImGui::PushFont(fonts().mono);
  text_right(s);
  ImGui::PopFont();
}

std::string budget_value(double v, const std::string& unit) {
  return unit == "tokens" ? chart::format_tokens(v) : chart::format_usd(v);
}

}  // namespace

void draw_tiers(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  const auto& tiers = s.tiers.tiers;
  const float table_h = (78 + 26 * static_cast<float>(std::min<std::size_t>(std::max<std::size_t>(tiers.size(), 1), 10))) * sc;
  if (begin_panel(st, "tiers.table", "Per-tier breakdown", ImVec2(0, table_h))) {
    export_buttons(st, s, "tiers_table");
    if (tiers.empty()) {
      text_dim("No runs in this range. Tiers come from runs: recorded ones carry a tier, session-file turns get one "
               "from the tier rules in the config file.");
    } else if (ImGui::BeginTable("tiers_table", 8,
                                 ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp |
                                     ImGuiTableFlags_PadOuterX)) {
      note_table("tiers_table");
      ImGui::TableSetupColumn("Tier", 0, 1.0f);
      ImGui::TableSetupColumn("Models", 0, 2.4f);
      for (const char* c : {"Runs", "Input", "Output", "Cache", "Cost", "Share"}) ImGui::TableSetupColumn(c, 0, 0.9f);
      headers_row({2, 3, 4, 5, 6, 7});
      for (std::size_t i = 0; i < tiers.size(); ++i) {
        const auto& t = tiers[i];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImVec2 p = ImGui::GetCursorScreenPos();
        float h = ImGui::GetTextLineHeight();
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + h * 0.2f), ImVec2(p.x + h * 0.6f, p.y + h * 0.8f),
                                                  series_color(static_cast<int>(i) + 5), 2.0f);
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + h * 0.9f);
        ImGui::TextUnformatted(t.tier.c_str());
        ImGui::TableNextColumn();
        std::string models;
        for (const auto& m : t.models) models += (models.empty() ? "" : ", ") + short_model_name(m);
        ImGui::TextUnformatted(models.c_str());
        ImGui::TableNextColumn();
        mono_right(chart::format_count(static_cast<double>(t.runs)));
        ImGui::TableNextColumn();
        mono_right(chart::format_tokens(static_cast<double>(t.tokens.input)));
        ImGui::TableNextColumn();
        mono_right(chart::format_tokens(static_cast<double>(t.tokens.output)));
        ImGui::TableNextColumn();
        mono_right(chart::format_tokens(static_cast<double>(t.tokens.cache_write() + t.tokens.cache_read)));
        ImGui::TableNextColumn();
        mono_right(chart::format_usd(t.cost) + (t.unpriced_runs ? "*" : ""));
        ImGui::TableNextColumn();
        mono_right(chart::format_percent(t.share));
      }
      ImGui::EndTable();
    }
    end_panel();
  }
  const float half = column_width(2);
  const float row_h = 260 * sc;
  if (begin_panel(st, "tiers.budgets", "Budgets per tier", ImVec2(half, row_h))) {
    bool any = false;
    for (const auto& t : tiers) {
      for (const auto& b : t.budgets) {
        any = true;
        ImGui::TextUnformatted((t.tier + " · " + b.period).c_str());
        ImGui::SameLine();
        std::string v = budget_value(b.used, b.unit) + " of " + budget_value(b.limit, b.unit);
        text_right(v);
        ImGui::PushID(&b);
        chart::gauge("##g", b.fraction, ImVec2(ImGui::GetContentRegionAvail().x, 8 * sc));
        ImGui::PopID();
        ImU32 col = chart::gauge_color(b.fraction);
        ImGui::PushStyleColor(ImGuiCol_Text, col);
        ImGui::Text("%s used · projected %s · %s", chart::format_percent(b.fraction, 0).c_str(),
                    budget_value(b.projected, b.unit).c_str(), b.status.c_str());
        ImGui::PopStyleColor();
        ImGui::Dummy(ImVec2(0, 4 * sc));
      }
    }
    if (!any)
      text_dim("No tier budgets configured. Add budgets with a \"tier\" to the config file\n(costdeck config show "
               "prints the shape).");
    end_panel();
  }
  ImGui::SameLine();
  if (begin_panel(st, "tiers.share", "Cost share by tier", ImVec2(half, row_h))) {
    std::vector<chart::HBarItem> items;
    for (std::size_t i = 0; i < tiers.size(); ++i)
      items.push_back({tiers[i].tier, tiers[i].cost, chart::format_percent(tiers[i].share, 0),
                       series_color(static_cast<int>(i) + 5)});
    chart::hbar_list("tier_share", items, chart::Format::Usd);
    end_panel();
  }
}

}  // namespace costdeck::ui
