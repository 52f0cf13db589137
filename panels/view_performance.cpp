// Performance: is the agent fleet working? Four figures against the period before, the
// success rate over time with the task counts under it, the slowest tasks, and the error
// patterns with the occurrences of the selected one. The pattern table can hold thousands
// of rows: only visible rows are submitted, and the order is computed once per snapshot
// version or sort change.
#include <algorithm>
#include <cmath>

#include "panels/export.hpp"
#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

constexpr ImGuiTableFlags kTableFlags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                        ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY |
                                        ImGuiTableFlags_PadOuterX;

// What this view remembers between frames: the selection and the sorted pattern order.
struct PerfState {
  std::string pattern_key;         // kind|source|pattern of the selected error pattern
  const Snapshot* snap = nullptr;  // with the version: tests hold several snapshots at once
  std::uint64_t version = 0;
  std::uint64_t sorts = 0;  // how often the order was computed (tests: once per change)
  int column = 1;
  bool ascending = false;
  std::vector<std::size_t> order;
};
PerfState g_perf;

std::string pattern_key(const runs::ErrorPattern& p) {
  return p.kind + '\x1f' + p.source + '\x1f' + p.pattern;
}

void mono_right(const std::string& s) {
  ImGui::PushFont(fonts().mono);
  text_right(s);
  ImGui::PopFont();
}

// Up is good for a rate, bad for durations and errors; tasks are neutral.
enum class Better { Up, Down, Neither };
ImU32 trend_color(double cur, double prev, Better b) {
  const Palette& p = palette();
  if (b == Better::Neither || cur == prev) return p.text_dim;
  return (cur > prev) == (b == Better::Up) ? p.good : p.orange;
}

void stat_card(AppState& st, const char* id, const char* title, const std::string& caption,
               const std::string& value, const std::string& sub, ImU32 sub_color, float w) {
  if (!begin_panel(st, id, title, ImVec2(w, 118 * ui_scale()))) return;
  stat_body(caption.c_str(), value, sub, sub_color);
  end_panel();
}

std::string previous_label(const Snapshot& s) {
  switch (s.filter.range) {
    case RangeKind::Today: return "vs yesterday";
    case RangeKind::Days7: return "vs previous 7 days";
    case RangeKind::Days30: return "vs previous 30 days";
    case RangeKind::Month: return "vs the days before";
    default: return "vs the period before";
  }
}

void cards(const Snapshot& s, AppState& st) {
  const float w = column_width(4);
  const auto& c = s.perf;
  const auto& p = s.perf_previous;
  const bool prev = s.perf_has_previous && p.tasks > 0;
  const std::string versus = previous_label(s);
  {
    std::string sub = "no earlier runs to compare";
    if (prev) {
      double pts = (c.success_rate - p.success_rate) * 100;
      char b[64];
      std::snprintf(b, sizeof b, "%+.1f pts ", pts);
      sub = b + versus;
    }
    std::string caption = chart::format_count(static_cast<double>(c.successes)) + " of " +
                          chart::format_count(static_cast<double>(c.successes + c.errors + c.aborted)) +
                          " finished";
    stat_card(st, "perf.success_rate", "Success rate", caption,
              c.tasks ? chart::format_percent(c.success_rate) : "—", sub,
              prev ? trend_color(c.success_rate, p.success_rate, Better::Up) : palette().text_dim, w);
  }
  ImGui::SameLine();
  {
    std::string sub = prev && p.duration.count
                          ? chart::format_change(c.duration.avg_ms, p.duration.avg_ms) + " " + versus
                          : std::string("no earlier runs to compare");
    std::string caption = c.duration.count ? "median " + chart::format_duration_ms(c.duration.median_ms) +
                                                 " · p95 " + chart::format_duration_ms(c.duration.p95_ms)
                                           : std::string("no durations recorded");
    stat_card(st, "perf.avg_time", "Average response time", caption,
              c.duration.count ? chart::format_duration_ms(c.duration.avg_ms) : "—", sub,
              prev ? trend_color(c.duration.avg_ms, p.duration.avg_ms, Better::Down) : palette().text_dim, w);
  }
  ImGui::SameLine();
  {
    std::string sub =
        prev ? chart::format_change(static_cast<double>(c.tasks), static_cast<double>(p.tasks)) + " " + versus
             : std::string("no earlier runs to compare");
    std::string caption = c.unfinished
                              ? chart::format_count(static_cast<double>(c.unfinished)) + " still running"
                              : std::string(range_label(s.filter.range));
    stat_card(st, "perf.tasks", "Tasks", caption, chart::format_count(static_cast<double>(c.tasks)), sub,
              palette().text_dim, w);
  }
  ImGui::SameLine();
  {
    std::string sub = chart::format_count(static_cast<double>(s.errors_yesterday)) + " yesterday";
    std::string caption = "failed runs, tool and API errors";
    stat_card(st, "perf.errors_today", "Errors today", caption,
              chart::format_count(static_cast<double>(c.errors_today)), sub,
              trend_color(static_cast<double>(c.errors_today), static_cast<double>(s.errors_yesterday),
                          Better::Down),
              w);
  }
}

void success_chart(const Snapshot& s, AppState& st, ImVec2 size) {
  const bool hourly = !s.perf_hourly.empty();
  if (!begin_panel(st, "perf.success", hourly ? "Success rate by hour" : "Success rate by day", size)) return;
  export_buttons(st, s, "perf_series");
  const auto& series = hourly ? s.perf_hourly : s.perf.daily;
  // Labels and series are built once per snapshot, not per frame.
  static const Snapshot* snap = nullptr;
  static std::uint64_t version = 0;
  static Theme theme = Theme::Dark;
  static chart::ChartData rate, tasks;
  static std::string tasks_top;  // the tasks axis' top label
  if (snap != &s || version != s.version || theme != current_theme()) {
    snap = &s;
    version = s.version;
    theme = current_theme();
    rate = {};
    tasks = {};
    rate.format = chart::Format::Percent;
    tasks.format = chart::Format::Count;
    chart::Series r{"Success rate", {}, palette().good};
    chart::Series ok{"Succeeded", {}, palette().good}, err{"Failed", {}, palette().bad},
        ab{"Aborted", {}, palette().warn};
    for (const auto& d : series) {
      std::string label = hourly ? d.day.substr(11) : chart::format_date_label(d.day);
      rate.x_labels.push_back(label);
      tasks.x_labels.push_back(label);
      std::string tip = d.day + " · " + chart::format_count(static_cast<double>(d.tasks)) + " tasks";
      rate.x_tooltips.push_back(tip);
      tasks.x_tooltips.push_back(tip);
      r.values.push_back(d.success_rate);
      ok.values.push_back(static_cast<double>(d.successes));
      err.values.push_back(static_cast<double>(d.errors));
      ab.values.push_back(static_cast<double>(d.aborted));
    }
    double busiest = 0;
    for (const auto& d : series) busiest = std::max(busiest, static_cast<double>(d.tasks));
    // The top tick of the coarsest axis: as many digits as any label the tasks axis gets.
    const chart::Ticks t = chart::nice_ticks(0, busiest, 1);
    tasks_top = chart::format_tick(t.hi, t.step, chart::Format::Count);
    rate.series.push_back(std::move(r));
    tasks.series = {std::move(ok), std::move(err), std::move(ab)};
  }
  const float sc = ui_scale();
  const float avail = ImGui::GetContentRegionAvail().y;
  chart::ChartOptions lo;
  lo.legend = false;
  lo.y_min = 0;
  lo.y_max = 1.0;
  lo.height = std::max(90.0f, (avail * 0.58f) / sc);
  lo.empty_text = "No runs in this range";
  // One left edge for both charts, so a day's point sits above its bar: room for the wider
  // of the two axes' widest labels.
  ImGui::PushFont(fonts().small);
  const char* room =
      ImGui::CalcTextSize(tasks_top.c_str()).x > ImGui::CalcTextSize("100%").x ? tasks_top.c_str() : "100%";
  ImGui::PopFont();
  lo.y_label_room = room;
  chart::line_chart("rate", rate, lo);
  chart::ChartOptions bo;
  bo.stacked = true;
  bo.height = 0;
  bo.empty_text = "";
  bo.y_label_room = room;
  chart::bar_chart("tasks", tasks, bo);
  if (!series.empty()) note_text("success " + chart::format_percent(series.back().success_rate));
  end_panel();
}

void slowest(const Snapshot& s, AppState& st, ImVec2 size) {
  if (!begin_panel(st, "perf.slowest", "Slowest tasks", size)) return;
  export_buttons(st, s, "slowest_table");
  if (s.slowest.empty()) {
    text_dim("No runs with a duration in this range.");
    end_panel();
    return;
  }
  if (ImGui::BeginTable("slowest_table", 4, kTableFlags)) {
    note_table("slowest_table");
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Task", 0, 2.2f);
    ImGui::TableSetupColumn("Duration", 0, 0.8f);
    ImGui::TableSetupColumn("When", 0, 1.2f);
    ImGui::TableSetupColumn("Session", 0, 1.1f);
    headers_row({1});
    const std::int64_t now = st.now_ms ? st.now_ms : s.now_ms;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(s.slowest.size()));
    while (clipper.Step()) {
      for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
        const auto& r = s.slowest[k];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(k);
        std::string title = r.title.empty() ? r.key : r.title;
        // Selecting a task opens its session in the Sessions view.
        if (ImGui::Selectable(fit_text(title, ImGui::GetContentRegionAvail().x).c_str(), false,
                              ImGuiSelectableFlags_SpanAllColumns) &&
            !r.session.empty()) {
          st.selected_session = r.session;
          st.session_search.clear();
          st.view = View::Sessions;
        }
        if (ImGui::IsItemHovered() && !st.headless)
          ImGui::SetTooltip("%s\n%s · %s · %s", title.c_str(), r.runtime.c_str(), runs::status_name(r.status),
                            r.session.empty() ? "no session" : ("open session " + r.session).c_str());
        ImGui::PopID();
        if (k < 3) note_text(title);
        ImGui::TableNextColumn();
        mono_right(chart::format_duration_ms(static_cast<double>(r.duration_ms)));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(chart::format_relative(r.started_ms, now).c_str());
        ImGui::TableNextColumn();
        ImGui::PushFont(fonts().mono);
        ImGui::TextUnformatted(r.session.empty() ? "—" : short_path(r.session, 18).c_str());
        ImGui::PopFont();
      }
    }
    ImGui::EndTable();
  }
  end_panel();
}

void sort_patterns(const Snapshot& s, int column, bool ascending) {
  g_perf.snap = &s;
  g_perf.version = s.version;
  g_perf.sorts++;
  g_perf.column = column;
  g_perf.ascending = ascending;
  g_perf.order.resize(s.errors->patterns.size());
  for (std::size_t i = 0; i < g_perf.order.size(); ++i) g_perf.order[i] = i;
  const auto& p = s.errors->patterns;
  auto less = [&](std::size_t a, std::size_t b) {
    switch (column) {
      case 0: return p[a].pattern < p[b].pattern;
      case 2: return p[a].last_ms < p[b].last_ms;
      case 3: return p[a].source < p[b].source;
      default: return p[a].count < p[b].count;
    }
  };
  // The snapshot's order (count, then latest) breaks ties, so equal rows keep their place.
  std::stable_sort(g_perf.order.begin(), g_perf.order.end(),
                   [&](std::size_t a, std::size_t b) { return ascending ? less(a, b) : less(b, a); });
}

// The selected pattern, looked up once per snapshot or selection change (a scan of
// thousands of patterns per frame would be the view's biggest cost).
const runs::ErrorPattern* selected_pattern(const Snapshot& s) {
  static const Snapshot* snap = nullptr;
  static std::uint64_t version = 0;
  static std::string key;
  static const runs::ErrorPattern* found = nullptr;
  if (snap != &s || version != s.version || key != g_perf.pattern_key) {
    snap = &s;
    version = s.version;
    key = g_perf.pattern_key;
    found = nullptr;
    for (const auto& p : s.errors->patterns)
      if (pattern_key(p) == key) found = &p;
  }
  return found;
}

void patterns(const Snapshot& s, AppState& st, ImVec2 size) {
  if (!begin_panel(st, "perf.errors", "Error patterns", size)) return;
  same_line_after_title();
  text_dim("%s patterns · %s errors",
           chart::format_count(static_cast<double>(s.errors->patterns.size())).c_str(),
           chart::format_count(static_cast<double>(s.errors->total)).c_str());
  export_buttons(st, s, "error_patterns");
  if (s.errors->patterns.empty()) {
    text_dim("No errors in this range: no failed runs, tool failures or API errors.");
    note_text("No errors in this range");
    end_panel();
    return;
  }
  if (ImGui::BeginTable("error_patterns", 4, kTableFlags | ImGuiTableFlags_Sortable)) {
    note_table("error_patterns");
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Pattern", 0, 3.2f);
    ImGui::TableSetupColumn(
        "Count", ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_PreferSortDescending, 0.6f);
    ImGui::TableSetupColumn("Last occurred", ImGuiTableColumnFlags_PreferSortDescending, 1.0f);
    ImGui::TableSetupColumn("Tool / runtime", 0, 1.0f);
    headers_row({1});
    int column = g_perf.column;
    bool ascending = g_perf.ascending;
    ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
    if (specs && specs->SpecsCount > 0) {
      column = specs->Specs[0].ColumnIndex;
      ascending = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    }
    if ((specs && specs->SpecsDirty) || g_perf.version != s.version || g_perf.snap != &s ||
        g_perf.column != column || g_perf.ascending != ascending ||
        g_perf.order.size() != s.errors->patterns.size()) {
      sort_patterns(s, column, ascending);
      if (specs) specs->SpecsDirty = false;
    }
    if (g_perf.pattern_key.empty() || !selected_pattern(s))
      g_perf.pattern_key = pattern_key(s.errors->patterns.front());
    const std::int64_t now = st.now_ms ? st.now_ms : s.now_ms;
    int drawn = 0;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(g_perf.order.size()));
    while (clipper.Step()) {
      for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k, ++drawn) {
        const auto& p = s.errors->patterns[g_perf.order[k]];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(k);
        std::string key = pattern_key(p);
        if (ImGui::Selectable(fit_text(p.pattern, ImGui::GetContentRegionAvail().x).c_str(),
                              key == g_perf.pattern_key, ImGuiSelectableFlags_SpanAllColumns))
          g_perf.pattern_key = key;
        if (ImGui::IsItemHovered() && !st.headless)
          ImGui::SetTooltip("%s\n\nlatest: %s", p.pattern.c_str(), p.example.c_str());
        ImGui::PopID();
        if (k < 3) note_text(p.pattern);
        ImGui::TableNextColumn();
        mono_right(chart::format_count(static_cast<double>(p.count)));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(chart::format_relative(p.last_ms, now).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(p.source.c_str());
      }
    }
    ImGui::EndTable();
    // For the render tests: rows submitted this frame, and the sort count.
    note_text("error_patterns drawn " + std::to_string(drawn) + " of " + std::to_string(g_perf.order.size()));
    note_text("error_patterns sorts " + std::to_string(g_perf.sorts));
  }
  end_panel();
}

void occurrences(const Snapshot& s, AppState& st, ImVec2 size) {
  if (!begin_panel(st, "perf.occurrences", "Occurrences", size)) return;
  const runs::ErrorPattern* p = selected_pattern(s);
  if (!p && !s.errors->patterns.empty()) p = &s.errors->patterns.front();
  if (p) export_buttons(st, s, "error_occurrences", p->pattern);
  if (!p) {
    text_dim("Select an error pattern to see when it happened.");
    end_panel();
    return;
  }
  text_dim("%s · %s · %s times, first %s", p->kind.c_str(), p->source.c_str(),
           chart::format_count(static_cast<double>(p->count)).c_str(),
           format_time(p->first_ms, s.zone_name).c_str());
  if (ImGui::BeginTable("error_occurrences", 3, kTableFlags)) {
    note_table("error_occurrences");
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Time", ImGuiTableColumnFlags_WidthFixed,
                            ImGui::CalcTextSize("2026-01-01 00:00").x);
    ImGui::TableSetupColumn("Session", ImGuiTableColumnFlags_WidthFixed,
                            ImGui::CalcTextSize("0000000000000").x);
    ImGui::TableSetupColumn("Message", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();
    // At most max_occurrences rows (20): wrapped messages of varying height, no clipper needed.
    for (const auto& o : p->occurrences) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(format_time(o.ts_ms, s.zone_name).c_str());
      ImGui::TableNextColumn();
      ImGui::PushFont(fonts().mono);
      ImGui::TextUnformatted(o.session.empty() ? "—" : short_path(o.session, 12).c_str());
      ImGui::PopFont();
      if (ImGui::IsItemHovered() && !st.headless && !o.session.empty())
        ImGui::SetTooltip("%s", o.session.c_str());
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", o.message.c_str());
    }
    if (p->count > static_cast<std::int64_t>(p->occurrences.size())) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      text_dim("+%lld older",
               static_cast<long long>(p->count - static_cast<std::int64_t>(p->occurrences.size())));
    }
    ImGui::EndTable();
  }
  end_panel();
}

}  // namespace

void draw_performance(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  cards(s, st);
  const float left = std::floor(ImGui::GetContentRegionAvail().x * 0.58f);
  const float mid_h = 300 * sc;
  success_chart(s, st, ImVec2(left, mid_h));
  ImGui::SameLine();
  slowest(s, st, ImVec2(0, mid_h));
  const float rest = std::max(260 * sc, ImGui::GetContentRegionAvail().y - 2);
  patterns(s, st, ImVec2(left, rest));
  ImGui::SameLine();
  occurrences(s, st, ImVec2(0, rest));
}

}  // namespace costdeck::ui
