// Settings: the budgets (list, add, edit, remove: tokens or USD; overall, per tier or per
// project; day, week, month, session or block; thresholds; an optional command), the theme
// and the time zone. The UI never writes the config file: a save is handed to the worker
// (AppState::want_save_budgets) and its outcome comes back in the snapshot.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

constexpr const char* kZoneChoices[] = {"",
                                        "UTC",
                                        "America/Los_Angeles",
                                        "America/New_York",
                                        "Europe/London",
                                        "Europe/Berlin",
                                        "Asia/Kolkata",
                                        "Asia/Tokyo",
                                        "Australia/Sydney"};
constexpr live::BudgetPeriod kPeriods[] = {live::BudgetPeriod::Day, live::BudgetPeriod::Week,
                                           live::BudgetPeriod::Month, live::BudgetPeriod::Session,
                                           live::BudgetPeriod::Block};
constexpr const char* kPeriodLabels[] = {"Day", "Week", "Month", "Session", "5-hour block"};
constexpr const char* kScopeLabels[] = {"Overall", "Tier", "Project"};

std::vector<live::Budget> current_budgets(const Snapshot& s) {
  std::vector<live::Budget> out;
  for (const auto& b : s.live.budgets) out.push_back(b.budget);
  return out;
}

std::string thresholds_text(const std::vector<double>& ts) {
  std::string out;
  for (double t : ts) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%g", t * 100.0);
    out += (out.empty() ? "" : ", ") + std::string(buf);
  }
  return out;
}

// "80, 100" -> {0.8, 1.0}; false on anything that is not a list of positive percentages.
bool parse_thresholds(const char* text, std::vector<double>* out) {
  out->clear();
  const char* p = text;
  while (*p) {
    while (*p == ' ' || *p == ',' || *p == '%') ++p;
    if (!*p) break;
    char* end = nullptr;
    double v = std::strtod(p, &end);
    if (end == p || !(v > 0) || v > 1000) return false;
    out->push_back(v / 100.0);
    p = end;
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
  return !out->empty();
}

void load_draft(BudgetDraft& d, int index, const live::Budget& b) {
  d = BudgetDraft{};
  d.index = index;
  d.loaded = true;
  d.budget = b;
  d.scope = !b.tier.empty() ? 1 : !b.project.empty() ? 2 : 0;
  std::snprintf(d.name, sizeof d.name, "%s", b.name.c_str());
  std::snprintf(d.project, sizeof d.project, "%s", b.project.c_str());
  std::snprintf(d.command, sizeof d.command, "%s", b.command.c_str());
  std::snprintf(d.thresholds, sizeof d.thresholds, "%s", thresholds_text(b.thresholds).c_str());
}

std::string scope_text(const live::Budget& b) {
  if (!b.tier.empty()) return "tier " + b.tier;
  if (!b.project.empty()) return "project " + short_path(b.project, 28);
  return "overall";
}

void budgets_table(const Snapshot& s, AppState& st) {
  const auto& bs = s.live.budgets;
  if (bs.empty()) {
    text_dim(
        "No budgets yet. Add one below: costdeck then shows it here, in Live and in the compact window, and "
        "warns when it crosses a threshold.");
    return;
  }
  if (!ImGui::BeginTable("budgets_table", 8,
                         ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                             ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_PadOuterX))
    return;
  note_table("budgets_table");
  ImGui::TableSetupColumn("Budget", 0, 1.6f);
  ImGui::TableSetupColumn("Scope", 0, 1.3f);
  ImGui::TableSetupColumn("Period", 0, 0.8f);
  ImGui::TableSetupColumn("Limit", 0, 0.9f);
  ImGui::TableSetupColumn("Used", 0, 1.4f);
  ImGui::TableSetupColumn("Alerts at", 0, 0.8f);
  ImGui::TableSetupColumn("Command", 0, 1.2f);
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, 110 * ui_scale());
  ImGui::TableHeadersRow();
  for (std::size_t i = 0; i < bs.size(); ++i) {
    const auto& x = bs[i];
    const live::Budget& b = x.budget;
    ImGui::PushID(static_cast<int>(i));
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(live::budget_display_name(b).c_str());
    note_text(live::budget_display_name(b));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(scope_text(b).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(live::budget_period_name(b.period));
    ImGui::TableNextColumn();
    ImGui::PushFont(fonts().mono);
    ImGui::TextUnformatted(budget_amount(b.limit, b.unit).c_str());
    ImGui::PopFont();
    ImGui::TableNextColumn();
    const float row_y = ImGui::GetCursorPosY();
    ImGui::SetCursorPosY(row_y + (ImGui::GetTextLineHeight() - 6 * ui_scale()) * 0.5f);
    limit_bar("##u", x.fraction, b.limit > 0 ? x.projected / b.limit : 0, status_color(x.status),
              ImVec2(ImGui::GetContentRegionAvail().x * 0.45f, 6 * ui_scale()));
    ImGui::SameLine();
    ImGui::SetCursorPosY(row_y);
    ImGui::PushStyleColor(ImGuiCol_Text, status_color(x.status));
    ImGui::TextUnformatted(chart::format_percent(x.fraction, 0).c_str());
    ImGui::PopStyleColor();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(thresholds_text(b.thresholds).append("%").c_str());
    ImGui::TableNextColumn();
    if (b.command.empty())
      text_dim("—");
    else {
      ImGui::PushFont(fonts().mono);
      ImGui::TextUnformatted(short_path(b.command, 22).c_str());
      ImGui::PopFont();
    }
    ImGui::TableNextColumn();
    if (ImGui::SmallButton("Edit")) load_draft(st.budget_draft, static_cast<int>(i), b);
    ImGui::SameLine();
    if (ImGui::SmallButton("Remove")) {
      auto next = current_budgets(s);
      next.erase(next.begin() + static_cast<std::ptrdiff_t>(i));
      st.want_save_budgets = std::move(next);
      if (st.budget_draft.index == static_cast<int>(i)) st.budget_draft = BudgetDraft{};
    }
    ImGui::PopID();
  }
  ImGui::EndTable();
}

void budget_form(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  BudgetDraft& d = st.budget_draft;
  if (d.index >= static_cast<int>(s.live.budgets.size())) d = BudgetDraft{};  // removed meanwhile
  live::Budget& b = d.budget;
  const float label_w = 92 * sc;
  const float field_w = std::min(300 * sc, ImGui::GetContentRegionAvail().x - label_w);
  auto label = [&](const char* text) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(text);
    ImGui::SameLine(label_w);
    ImGui::SetNextItemWidth(field_w);
  };
  label("Name");
  ImGui::InputTextWithHint("##name", live::budget_display_name(b).c_str(), d.name, sizeof d.name);
  label("Unit");
  int unit = b.unit == live::BudgetUnit::Usd ? 0 : 1;
  if (ImGui::Combo("##unit", &unit, "USD\0Tokens\0"))
    b.unit = unit == 0 ? live::BudgetUnit::Usd : live::BudgetUnit::Tokens;
  label("Period");
  int period =
      static_cast<int>(std::find(std::begin(kPeriods), std::end(kPeriods), b.period) - std::begin(kPeriods));
  if (ImGui::Combo("##period", &period, kPeriodLabels, 5)) b.period = kPeriods[period];
  label("Scope");
  ImGui::Combo("##scope", &d.scope, kScopeLabels, 3);
  if (d.scope == 1) {
    label("Tier");
    std::string preview = b.tier.empty() ? "choose a tier" : b.tier;
    if (ImGui::BeginCombo("##tier", preview.c_str())) {
      for (const auto& t : s.live.tiers)
        if (ImGui::Selectable(t.c_str(), t == b.tier)) b.tier = t;
      ImGui::EndCombo();
    }
  } else if (d.scope == 2) {
    label("Project");
    ImGui::InputTextWithHint("##project", "part of the project path", d.project, sizeof d.project);
  }
  label("Limit");
  double limit = b.limit;
  if (ImGui::InputDouble("##limit", &limit, 0, 0, b.unit == live::BudgetUnit::Usd ? "$%.2f" : "%.0f tokens"))
    b.limit = std::max(0.0, limit);
  label("Alerts at %");
  ImGui::InputTextWithHint("##thresholds", "80, 100", d.thresholds, sizeof d.thresholds);
  label("Command");
  ImGui::InputTextWithHint("##command", "optional, e.g. notify-me.sh", d.command, sizeof d.command);
  if (ImGui::IsItemHovered() && !st.headless)
    ImGui::SetTooltip("Run with COSTDECK_BUDGET_NAME, _USED, _LIMIT, _PERCENT, _PROJECTED, _STATUS set");

  ImGui::Dummy(ImVec2(0, 2 * sc));
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + label_w);
  if (ImGui::Button(d.index < 0 ? "Add budget" : "Save changes")) {
    live::Budget out = b;
    out.name = d.name;
    out.tier = d.scope == 1 ? b.tier : "";
    out.project = d.scope == 2 ? std::string(d.project) : "";
    out.command = d.command;
    std::vector<double> ts;
    if (!(out.limit > 0))
      d.error = "The limit must be above zero.";
    else if (d.scope == 1 && out.tier.empty())
      d.error = "Choose a tier.";
    else if (d.scope == 2 && out.project.empty())
      d.error = "Type a project (part of its path).";
    else if (!parse_thresholds(d.thresholds, &ts))
      d.error = "Alerts: percentages such as 80, 100.";
    else {
      out.thresholds = ts;
      auto next = current_budgets(s);
      if (d.index >= 0 && d.index < static_cast<int>(next.size()))
        next[static_cast<std::size_t>(d.index)] = out;
      else
        next.push_back(out);
      st.want_save_budgets = std::move(next);
      d = BudgetDraft{};
    }
  }
  if (d.index >= 0) {
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) d = BudgetDraft{};
  }
  if (!d.error.empty()) {
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, palette().bad);
    ImGui::TextUnformatted(d.error.c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace

void draw_settings(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  const std::size_t n = s.live.budgets.size();
  const float table_h = (n == 0 ? 92 : 66 + 22 * static_cast<float>(std::min<std::size_t>(n, 12))) * sc;
  if (begin_panel(st, "settings.budgets", "Budgets", ImVec2(0, table_h), false)) {
    budgets_table(s, st);
    end_panel();
  }
  const float left = std::floor(column_width(5) * 3 + ImGui::GetStyle().ItemSpacing.x * 2);
  const float right = ImGui::GetContentRegionAvail().x - left - ImGui::GetStyle().ItemSpacing.x;
  const float row_h = 340 * sc;
  const bool editing = st.budget_draft.index >= 0;
  std::string form_title = editing ? "Edit budget: " + live::budget_display_name(st.budget_draft.budget)
                                   : std::string("Add a budget");
  if (begin_panel(st, "settings.form", form_title.c_str(), ImVec2(left, row_h), false)) {
    budget_form(s, st);
    ImGui::Dummy(ImVec2(0, 6 * sc));
    ImGui::Separator();
    ImGui::PushTextWrapPos(0);
    const std::string config = shown_path(s, s.live.config_path);
    text_dim("Config file: %s", config.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", s.live.config_path.c_str());
    note_text("config: " + config);
    if (!s.live.config_message.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, s.live.config_error ? palette().bad : palette().good);
      ImGui::TextUnformatted(shown_path(s, s.live.config_message).c_str());
      ImGui::PopStyleColor();
      note_text(s.live.config_message);
    }
    ImGui::PopTextWrapPos();
    end_panel();
  }
  ImGui::SameLine();
  if (begin_panel(st, "settings.appearance", "Appearance and alerts", ImVec2(right, row_h), false)) {
    text_dim("Theme");
    if (ImGui::RadioButton("Dark", st.theme == Theme::Dark)) st.theme = Theme::Dark;
    ImGui::SameLine();
    if (ImGui::RadioButton("Light", st.theme == Theme::Light)) st.theme = Theme::Light;
    ImGui::Dummy(ImVec2(0, 4 * sc));
    text_dim("Time zone (days, weeks and months of budgets and reports)");
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x);
    std::string tz = st.filter.timezone.empty() ? "Local time" : st.filter.timezone;
    if (ImGui::BeginCombo("##settings_tz", tz.c_str())) {
      for (const char* z : kZoneChoices)
        if (ImGui::Selectable(*z ? z : "Local time", st.filter.timezone == z)) st.filter.timezone = z;
      ImGui::EndCombo();
    }
    ImGui::Dummy(ImVec2(0, 4 * sc));
    text_dim("Compact window");
    if (ImGui::Button("Open the compact window")) st.want_compact = true;
    ImGui::Dummy(ImVec2(0, 4 * sc));
    text_dim("When a budget crosses a threshold");
    ImGui::PushTextWrapPos(0);
    ImGui::BulletText("a notice in this window");
    ImGui::BulletText("a desktop notification (notify-send)");
    ImGui::BulletText("the budget's command, with COSTDECK_BUDGET_* set");
    ImGui::PopTextWrapPos();
    end_panel();
  }
}

}  // namespace costdeck::ui
