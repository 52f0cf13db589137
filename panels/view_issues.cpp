// Issues: what each piece of work cost. Issues as rows with a cost badge coloured by the
// configured thresholds (green / yellow / orange / red) and a "3 sessions, 1.2M tokens"
// tooltip; the selected issue's total, its sessions (phase, model, cost, tokens), its
// models (cost, share) and its cost over time.
#include <algorithm>
#include <cmath>

#include "panels/export.hpp"
#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

constexpr ImGuiTableFlags kTableFlags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                        ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY |
                                        ImGuiTableFlags_PadOuterX;

std::string g_selected;  // issue id

void mono_right(const std::string& s) {
  ImGui::PushFont(fonts().mono);
  text_right(s);
  ImGui::PopFont();
}

ImU32 badge_color(const std::string& badge) {
  const Palette& p = palette();
  if (badge == "green") return p.good;
  if (badge == "yellow") return p.warn;
  if (badge == "orange") return p.orange;
  return p.bad;
}

// A pill with the cost in the badge colour, right-aligned in the cell.
void cost_badge(double cost, const std::string& badge) {
  const float s = ui_scale();
  const std::string text = chart::format_usd(cost);
  const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
  const float w = ts.x + 14 * s;
  const float avail = ImGui::GetContentRegionAvail().x;
  if (avail > w) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + avail - w);
  ImVec2 p = ImGui::GetCursorScreenPos();
  const ImU32 c = badge_color(badge);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(p.x, p.y - 1 * s), ImVec2(p.x + w, p.y + ts.y + 1 * s),
                    (c & 0x00FFFFFF) | 0x38000000, ts.y * 0.5f);
  dl->AddText(ImVec2(p.x + 7 * s, p.y), c, text.c_str());
  ImGui::Dummy(ImVec2(w, ts.y));
}

std::string issue_tooltip(const runs::IssueRow& i) {
  const std::size_t n = i.sessions.size();
  return std::to_string(n) + (n == 1 ? " session, " : " sessions, ") +
         chart::format_tokens(static_cast<double>(i.tokens.total())) + " tokens";
}

void issue_list(const Snapshot& s, AppState& st, ImVec2 size) {
  if (!begin_panel(st, "issues.list", "Issues", size)) return;
  same_line_after_title();
  text_dim("%zu issues", s.issues->size());
  export_buttons(st, s, "issues_table");
  if (s.issues->empty()) {
    text_dim("No runs linked to an issue in this range.");
    ImGui::TextWrapped(
        "Runs get an issue from `costdeck record --issue`, from `costdeck link`, or from the git "
        "branch (feature/MIN-123).");
    note_text("No issues in this range");
    end_panel();
    return;
  }
  if (ImGui::BeginTable("issues_table", 5, kTableFlags)) {
    note_table("issues_table");
    ImGui::TableSetupScrollFreeze(0, 1);
    // "26 minutes ago" is the widest cell; at 1440 px the list is about 440 px wide.
    ImGui::TableSetupColumn("Issue", 0, 1.0f);
    ImGui::TableSetupColumn("Cost", 0, 0.95f);
    ImGui::TableSetupColumn("Sessions", 0, 0.8f);
    ImGui::TableSetupColumn("Tokens", 0, 0.75f);
    ImGui::TableSetupColumn("Last activity", 0, 1.5f);
    headers_row({1, 2, 3});
    const std::int64_t now = st.now_ms ? st.now_ms : s.now_ms;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(s.issues->size()));
    while (clipper.Step()) {
      for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
        const auto& i = (*s.issues)[k];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(k);
        if (ImGui::Selectable(i.issue.c_str(), i.issue == g_selected, ImGuiSelectableFlags_SpanAllColumns))
          g_selected = i.issue;
        if (ImGui::IsItemHovered() && !st.headless) ImGui::SetTooltip("%s", issue_tooltip(i).c_str());
        ImGui::PopID();
        if (k < 3) note_text(i.issue), note_text(issue_tooltip(i));
        ImGui::TableNextColumn();
        cost_badge(i.cost, i.badge);
        ImGui::TableNextColumn();
        mono_right(chart::format_count(static_cast<double>(i.sessions.size())));
        ImGui::TableNextColumn();
        mono_right(chart::format_tokens(static_cast<double>(i.tokens.total())));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(chart::format_relative(i.last_ms, now).c_str());
      }
    }
    ImGui::EndTable();
  }
  end_panel();
}

void detail(const Snapshot& s, AppState& st, ImVec2 size) {
  const runs::IssueRow* sel = nullptr;
  for (const auto& i : *s.issues)
    if (i.issue == g_selected) sel = &i;
  if (!sel && !s.issues->empty()) sel = &s.issues->front();
  std::string title = sel ? "Issue " + sel->issue : std::string("Issue");
  if (!begin_panel(st, "issues.detail", title.c_str(), size)) return;
  if (!sel) {
    text_dim("Select an issue to see its sessions, models and cost over time.");
    end_panel();
    return;
  }
  const float sc = ui_scale();
  // Total: the figure, the badge colour as its accent, the counts beside it.
  ImGui::PushFont(fonts().large);
  ImGui::PushStyleColor(ImGuiCol_Text, badge_color(sel->badge));
  ImGui::TextUnformatted(chart::format_usd(sel->cost).c_str());
  ImGui::PopStyleColor();
  ImGui::PopFont();
  note_text(chart::format_usd(sel->cost));
  ImGui::SameLine();
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 7 * sc);
  text_dim("%s · %s runs · %s – %s", issue_tooltip(*sel).c_str(),
           chart::format_count(static_cast<double>(sel->runs)).c_str(),
           format_time(sel->first_ms, s.zone_name).c_str(), format_time(sel->last_ms, s.zone_name).c_str());

  // Models (left) and the cost over time, session by session (right).
  const float row_h = 150 * sc;
  const float left = std::floor(ImGui::GetContentRegionAvail().x * 0.42f);
  ImGui::BeginChild("models", ImVec2(left, row_h), false);
  text_dim("By model");
  export_buttons(st, s, "issue_models", sel->issue, false);
  std::vector<chart::HBarItem> items;
  for (std::size_t i = 0; i < sel->models.size() && i < 5; ++i) {
    const auto& m = sel->models[i];
    items.push_back({short_model_name(m.model), m.cost, chart::format_percent(m.share, 0),
                     series_color(static_cast<int>(i))});
  }
  chart::hbar_list("issue_models", items, chart::Format::Usd);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("timeline", ImVec2(0, row_h), false);
  text_dim("Cost so far, session by session");
  // The timeline's labels are built once per snapshot and issue, not per frame.
  static const Snapshot* snap = nullptr;
  static std::uint64_t version = 0;
  static std::string issue;
  static Theme theme = Theme::Dark;
  static chart::ChartData d;
  if (snap != &s || version != s.version || issue != sel->issue || theme != current_theme()) {
    snap = &s;
    version = s.version;
    issue = sel->issue;
    theme = current_theme();
    d = {};
    d.format = chart::Format::Usd;
    chart::Series cum{"Cost so far", {}, badge_color(sel->badge)};
    double run = 0;
    for (const auto& x : sel->sessions) {
      run += x.cost;
      cum.values.push_back(run);
      std::string t = format_time(x.first_ms, s.zone_name);
      d.x_labels.push_back(chart::format_date_label(t.substr(0, 10)));
      d.x_tooltips.push_back(t + " · " + std::string(sel->str(x.session)) + " · +" +
                             chart::format_usd(x.cost));
    }
    d.series.push_back(std::move(cum));
  }
  chart::ChartOptions o;
  o.legend = false;
  o.height = 0;
  chart::line_chart("issue_timeline", d, o);
  ImGui::EndChild();

  text_dim("Sessions");
  export_buttons(st, s, "issue_sessions", sel->issue, false);
  if (ImGui::BeginTable("issue_sessions", 6, kTableFlags)) {
    note_table("issue_sessions");
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Session", 0, 1.6f);
    ImGui::TableSetupColumn("Phase", 0, 0.9f);
    ImGui::TableSetupColumn("Model", 0, 1.2f);
    ImGui::TableSetupColumn("Runs", 0, 0.5f);
    ImGui::TableSetupColumn("Tokens", 0, 0.8f);
    ImGui::TableSetupColumn("Cost", 0, 0.8f);
    headers_row({3, 4, 5});
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(sel->sessions.size()));
    while (clipper.Step()) {
      for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
        const auto& x = sel->sessions[k];
        const std::string session(sel->str(x.session));
        const std::string_view phase = sel->str(x.phase), model = sel->str(x.model);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(k);
        ImGui::PushFont(fonts().mono);
        if (ImGui::Selectable(short_path(session, 24).c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) {
          st.selected_session = session;
          st.session_search.clear();
          st.view = View::Sessions;
        }
        ImGui::PopFont();
        if (ImGui::IsItemHovered() && !st.headless)
          ImGui::SetTooltip("%s\nopen in Sessions", session.c_str());
        ImGui::PopID();
        ImGui::TableNextColumn();
        if (phase.empty())
          ImGui::TextUnformatted("—");
        else
          ImGui::TextUnformatted(phase.data(), phase.data() + phase.size());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(model.empty() ? "—" : short_model_name(std::string(model)).c_str());
        ImGui::TableNextColumn();
        mono_right(chart::format_count(static_cast<double>(x.runs)));
        ImGui::TableNextColumn();
        mono_right(chart::format_tokens(static_cast<double>(x.tokens.total())));
        ImGui::TableNextColumn();
        mono_right(chart::format_usd(x.cost));
      }
    }
    ImGui::EndTable();
  }
  end_panel();
}

}  // namespace

void draw_issues(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  const float h = std::max(420 * sc, ImGui::GetContentRegionAvail().y - 2);
  const float left = std::floor(ImGui::GetContentRegionAvail().x * 0.44f);
  issue_list(s, st, ImVec2(left, h));
  ImGui::SameLine();
  detail(s, st, ImVec2(0, h));
}

}  // namespace costdeck::ui
