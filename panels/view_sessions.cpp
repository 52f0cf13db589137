// Sessions: a sortable, filterable table of the sessions in range (clipped: only visible
// rows are submitted; sorted once per snapshot version / sort change / search change), and
// for the selected session its per-model split and cost timeline.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "panels/export.hpp"
#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

// The one cache this view keeps: the filtered, sorted row order for a snapshot version.
struct SortCache {
  std::uint64_t version = 0;
  std::string search;
  int column = 2;
  bool ascending = false;
  std::vector<std::size_t> order;
};
SortCache g_cache;

bool icontains(const std::string& hay, const std::string& needle) {
  if (needle.empty()) return true;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); });
  return it != hay.end();
}

std::string project_of(const SessionEntry& e) { return e.row.project.empty() ? e.row.project_path : e.row.project; }

void resort(const Snapshot& s, const std::string& search, int column, bool ascending) {
  g_cache.version = s.version;
  g_cache.search = search;
  g_cache.column = column;
  g_cache.ascending = ascending;
  g_cache.order.clear();
  for (std::size_t i = 0; i < s.sessions.size(); ++i) {
    const auto& e = s.sessions[i];
    if (icontains(project_of(e), search) || icontains(e.row.key, search) || icontains(e.models_text, search))
      g_cache.order.push_back(i);
  }
  auto key_less = [&](std::size_t a, std::size_t b) {
    const auto& x = s.sessions[a].row;
    const auto& y = s.sessions[b].row;
    switch (column) {
      case 0: return project_of(s.sessions[a]) < project_of(s.sessions[b]);
      case 1: return x.first_ms < y.first_ms;
      case 2: return x.last_ms < y.last_ms;
      case 3: return s.sessions[a].models_text < s.sessions[b].models_text;
      case 4: return x.totals.tokens.total() < y.totals.tokens.total();
      default: return x.totals.cost < y.totals.cost;
    }
  };
  std::stable_sort(g_cache.order.begin(), g_cache.order.end(),
                   [&](std::size_t a, std::size_t b) { return ascending ? key_less(a, b) : key_less(b, a); });
}

void table(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  static char search[128] = "";
  if (std::strcmp(search, st.session_search.c_str()) != 0 && st.session_search.size() < sizeof search)
    std::snprintf(search, sizeof search, "%s", st.session_search.c_str());
  ImGui::SetNextItemWidth(260 * sc);
  if (ImGui::InputTextWithHint("##search", "Filter by project, session or model", search, sizeof search))
    st.session_search = search;
  ImGui::SameLine();
  text_dim("%zu of %zu sessions", g_cache.version == s.version ? g_cache.order.size() : s.sessions.size(),
           s.sessions.size());
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_Sortable | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_PadOuterX |
                                ImGuiTableFlags_Resizable;
  if (!ImGui::BeginTable("sessions_table", 6, flags)) return;
  note_table("sessions_table");
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Project", 0, 2.2f);
  ImGui::TableSetupColumn("First activity", 0, 1.2f);
  ImGui::TableSetupColumn("Last activity", ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_PreferSortDescending, 1.2f);
  ImGui::TableSetupColumn("Models", ImGuiTableColumnFlags_NoSort, 2.0f);
  ImGui::TableSetupColumn("Tokens", ImGuiTableColumnFlags_PreferSortDescending, 0.8f);
  ImGui::TableSetupColumn("Cost", ImGuiTableColumnFlags_PreferSortDescending, 0.8f);
  headers_row({4, 5});
  int column = g_cache.column;
  bool ascending = g_cache.ascending;
  ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
  if (specs && specs->SpecsCount > 0) {
    column = specs->Specs[0].ColumnIndex;
    ascending = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
  }
  // Sort only when something that decides the order changed, never per frame.
  if ((specs && specs->SpecsDirty) || g_cache.version != s.version || g_cache.search != st.session_search ||
      g_cache.column != column || g_cache.ascending != ascending) {
    resort(s, st.session_search, column, ascending);
    if (specs) specs->SpecsDirty = false;
  }
  const std::string& zone = s.zone_name;
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(g_cache.order.size()));
  while (clipper.Step()) {
    for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
      const SessionEntry& e = s.sessions[g_cache.order[k]];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(k);
      bool selected = st.selected_session == e.row.key;
      if (ImGui::Selectable(short_path(project_of(e), 40).c_str(), selected, ImGuiSelectableFlags_SpanAllColumns))
        st.selected_session = e.row.key;
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(format_time(e.row.first_ms, zone).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(format_time(e.row.last_ms, zone).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.models_text.c_str());
      ImGui::TableNextColumn();
      ImGui::PushFont(fonts().mono);
      text_right(chart::format_tokens(static_cast<double>(e.row.totals.tokens.total())));
      ImGui::TableNextColumn();
      text_right(chart::format_usd(e.row.totals.cost));
      ImGui::PopFont();
    }
  }
  ImGui::EndTable();
}

void detail(const Snapshot& s, AppState& st) {
  const SessionEntry* e = nullptr;
  for (const auto& x : s.sessions)
    if (x.row.key == st.selected_session) e = &x;
  if (!e && !s.sessions.empty() && st.headless) e = &s.sessions[s.sessions_by_cost.front()];
  if (!e) {
    text_dim("Select a session above to see its models and its cost over time.");
    return;
  }
  ImGui::PushFont(fonts().mono);
  text_dim("%s", e->row.key.c_str());
  ImGui::PopFont();
  ImGui::SameLine();
  text_dim("· %s · %s · %lld responses", short_path(project_of(*e), 40).c_str(), chart::format_usd(e->row.totals.cost).c_str(),
           static_cast<long long>(e->row.totals.responses));
  const float left_w = std::floor(ImGui::GetContentRegionAvail().x * 0.38f);
  ImGui::BeginChild("split", ImVec2(left_w, 0), false);
  text_dim("By model");
  std::vector<chart::HBarItem> items;
  for (std::size_t i = 0; i < e->row.models.size(); ++i) {
    const auto& m = e->row.models[i];
    items.push_back({short_model_name(m.model), m.totals.cost,
                     chart::format_tokens(static_cast<double>(m.totals.tokens.total())) + " tok",
                     series_color(static_cast<int>(i))});
  }
  chart::hbar_list("session_models", items, chart::Format::Usd);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("timeline", ImVec2(0, 0), false);
  text_dim("Cumulative cost, by hour of activity");
  chart::ChartData d;
  d.format = chart::Format::Usd;
  chart::Series cum{"Cost so far", {}, palette().accent};
  double run = 0;
  for (const auto& [hour, cost] : e->timeline) {
    run += cost;
    cum.values.push_back(run);
    std::string t = format_time(hour, s.zone_name);
    d.x_labels.push_back(t.substr(5, 8) + "h");
    d.x_tooltips.push_back(t + " · +" + chart::format_usd(cost));
  }
  d.series.push_back(std::move(cum));
  chart::ChartOptions o;
  o.legend = false;
  o.height = 0;
  chart::line_chart("session_timeline", d, o);
  ImGui::EndChild();
}

}  // namespace

void draw_sessions(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  float avail = ImGui::GetContentRegionAvail().y;
  float table_h = std::max(260 * sc, std::floor(avail * 0.56f));
  if (begin_panel(st, "sessions.table", "Sessions", ImVec2(0, table_h))) {
    export_buttons(st, s, "sessions_table");
    table(s, st);
    end_panel();
  }
  float detail_h = std::max(230 * sc, ImGui::GetContentRegionAvail().y - 2);
  if (begin_panel(st, "sessions.detail", "Selected session", ImVec2(0, detail_h))) {
    detail(s, st);
    end_panel();
  }
}

}  // namespace costdeck::ui
