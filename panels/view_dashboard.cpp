// Dashboard: cost today / this week / this month against the period before, tokens,
// sessions and the top model with sparklines, and the daily cost leading to Costs.
#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

void cost_card(AppState& st, const char* id, const char* title, const PeriodCost& p, const char* versus, float w) {
  const float s = ui_scale();
  if (!begin_panel(st, id, title, ImVec2(w, 118 * s))) return;
  std::string change = chart::format_change(p.cost, p.previous);
  std::string sub = change == "—" ? std::string("no spend in either period")
                                  : change + " " + versus + " (" + chart::format_usd(p.previous) + ")";
  stat_body(chart::format_tokens(static_cast<double>(p.tokens)).append(" tokens").c_str(), chart::format_usd(p.cost),
            sub, change_color(p.cost, p.previous));
  end_panel();
}

void spark_card(AppState& st, const char* id, const char* title, const std::string& value, const std::string& sub,
                const std::vector<double>& series, ImU32 color, float w) {
  const float s = ui_scale();
  if (!begin_panel(st, id, title, ImVec2(w, 150 * s))) return;
  stat_body("", value, sub, palette().text_dim);
  ImGui::Dummy(ImVec2(0, 2 * s));
  chart::sparkline("##spark", series, ImVec2(ImGui::GetContentRegionAvail().x, 34 * s), color);
  end_panel();
}

}  // namespace

void draw_dashboard(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  const float w = column_width(3);
  cost_card(st, "dash.today", "Today", s.today, "vs yesterday", w);
  ImGui::SameLine();
  cost_card(st, "dash.week", "This week", s.week, "vs last week", w);
  ImGui::SameLine();
  cost_card(st, "dash.month", "This month", s.month, "vs last month", w);

  const std::string range = range_label(s.filter.range);
  spark_card(st, "dash.tokens", "Tokens", chart::format_tokens(static_cast<double>(s.range_tokens)),
             range + " · " + chart::format_count(static_cast<double>(s.range_responses)) + " responses", s.daily.tokens,
             series_color(0), w);
  ImGui::SameLine();
  spark_card(st, "dash.sessions", "Sessions", chart::format_count(static_cast<double>(s.range_sessions)),
             range + " · " + chart::format_count(static_cast<double>(s.runs_in_range)) + " runs", s.daily.sessions,
             series_color(2), w);
  ImGui::SameLine();
  {
    std::vector<double> top_series;
    if (!s.daily.models.empty() && !s.top_model.empty()) top_series = s.daily.cost_by_model.front();
    std::string sub = s.top_model.empty()
                          ? std::string("no usage in range")
                          : chart::format_usd(s.top_model_cost) + " · " +
                                chart::format_percent(s.range_cost > 0 ? s.top_model_cost / s.range_cost : 0, 0) +
                                " of spend";
    spark_card(st, "dash.top_model", "Top model", s.top_model.empty() ? "—" : short_model_name(s.top_model), sub,
               top_series, series_color(0), w);
  }

  if (begin_panel(st, "dash.daily", "Daily cost", ImVec2(0, 300 * sc))) {
    same_line_after_title();
    text_dim("%s in range", chart::format_usd(s.range_cost).c_str());
    if (!st.headless && st.solo_panel.empty()) {
      const char* label = "View details →";
      const ImGuiStyle& style = ImGui::GetStyle();
      ImGui::SameLine(
          take_title_right(ImGui::CalcTextSize(label).x + style.FramePadding.x * 2 + style.ItemSpacing.x));
      if (ImGui::SmallButton(label)) st.view = View::Costs;
    }
    chart::ChartData d;
    d.x_labels = s.daily.labels;
    d.x_tooltips = s.daily.days;
    for (std::size_t i = 0; i < s.daily.models.size(); ++i)
      d.series.push_back({short_model_name(s.daily.models[i]), s.daily.cost_by_model[i], 0});
    chart::ChartOptions o;
    o.stacked = true;
    o.height = 0;
    chart::bar_chart("daily", d, o);
    end_panel();
  }
}

}  // namespace costdeck::ui
