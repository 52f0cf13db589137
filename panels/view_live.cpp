// Live: the sessions running now (cost, tokens, rates, elapsed), the current 5-hour block
// against its limit with the projection at block end, the recent blocks, and every budget
// as a bar with its projected end-of-period mark. Also the widgets the compact window and
// Settings share, and the in-app notices (toasts) for budget crossings.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panels/views.hpp"

namespace costdeck::ui {

// ---- shared live widgets ---------------------------------------------------------------

ImU32 status_color(live::LimitStatus s) {
  switch (s) {
    case live::LimitStatus::Ok: return palette().good;
    case live::LimitStatus::Warning: return palette().warn;
    case live::LimitStatus::Exceeded: return palette().bad;
  }
  return palette().good;
}

const char* status_label(live::LimitStatus s) {
  switch (s) {
    case live::LimitStatus::Ok: return "ok";
    case live::LimitStatus::Warning: return "warning";
    case live::LimitStatus::Exceeded: return "exceeded";
  }
  return "ok";
}

std::string format_hm(std::int64_t ms) {
  std::int64_t m = std::max<std::int64_t>(0, ms / 60000);
  char buf[32];
  if (m >= 60)
    std::snprintf(buf, sizeof buf, "%lldh %02lldm", static_cast<long long>(m / 60),
                  static_cast<long long>(m % 60));
  else
    std::snprintf(buf, sizeof buf, "%lldm", static_cast<long long>(m));
  return buf;
}

std::string budget_amount(double v, live::BudgetUnit u) {
  return u == live::BudgetUnit::Usd ? chart::format_usd(v) : chart::format_tokens(v);
}

void limit_bar(const char* id, double used, double projected, ImU32 color, ImVec2 size) {
  ImGui::InvisibleButton(id, size);
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float r = size.y * 0.5f;
  const float s = ui_scale();
  dl->AddRectFilled(a, b, palette().grid, r);
  const double f = std::clamp(used, 0.0, 1.0);
  if (f > 0)
    dl->AddRectFilled(a, ImVec2(a.x + std::max(static_cast<float>(f * size.x), size.y), b.y), color, r);
  if (projected > used) {
    // The projection mark: a tick across the bar, inside it when past the limit.
    const float x = a.x + static_cast<float>(std::clamp(projected, 0.0, 1.0)) * (size.x - 2 * s) + s;
    dl->AddLine(ImVec2(x, a.y - 3 * s), ImVec2(x, b.y + 3 * s), palette().text, 2 * s);
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s used · %s projected", chart::format_percent(used, 0).c_str(),
                      chart::format_percent(projected, 0).c_str());
}

void budget_rows(const std::vector<live::BudgetStatus>& budgets, std::size_t max_rows, bool tier_only,
                 bool compact) {
  const float s = ui_scale();
  // Compact: the status sits right of the bar, in a column wide enough for the longest one,
  // so the bars line up; the projection is the bar's tick (and its tooltip).
  const float status_w = compact ? ImGui::CalcTextSize("100% exceeded").x : 0.0f;
  std::size_t shown = 0;
  for (std::size_t i = 0; i < budgets.size() && shown < max_rows; ++i) {
    const auto& b = budgets[i];
    if (tier_only && b.budget.tier.empty()) continue;
    ++shown;
    ImGui::PushID(static_cast<int>(i));
    const std::string name = live::budget_display_name(b.budget);
    ImGui::BeginGroup();
    ImGui::TextUnformatted(name.c_str());
    ImGui::SameLine();
    text_right(budget_amount(b.used, b.budget.unit) + " of " + budget_amount(b.budget.limit, b.budget.unit));
    const double proj = b.budget.limit > 0 ? b.projected / b.budget.limit : 0;
    const std::string status =
        chart::format_percent(b.fraction, 0) + (compact ? " " : " · ") + status_label(b.status);
    if (compact) {
      const float sp = ImGui::GetStyle().ItemSpacing.x;
      const float bar_w = std::max(40 * s, ImGui::GetContentRegionAvail().x - status_w - sp);
      // The bar centred on the status text's line.
      const float lh = ImGui::GetTextLineHeight(), bar_h = 8 * s;
      const float y = ImGui::GetCursorPosY();
      ImGui::SetCursorPosY(y + (lh - bar_h) * 0.5f);
      limit_bar("##bar", b.fraction, proj, status_color(b.status), ImVec2(bar_w, bar_h));
      ImGui::SameLine();
      ImGui::SetCursorPosY(y);
      ImGui::PushStyleColor(ImGuiCol_Text, status_color(b.status));
      ImGui::TextUnformatted(status.c_str());
      ImGui::PopStyleColor();
    } else {
      limit_bar("##bar", b.fraction, proj, status_color(b.status),
                ImVec2(ImGui::GetContentRegionAvail().x, 8 * s));
      ImGui::PushStyleColor(ImGuiCol_Text, status_color(b.status));
      ImGui::TextUnformatted(status.c_str());
      ImGui::PopStyleColor();
      if (b.projected > b.used) {
        ImGui::SameLine();
        text_dim("· projected %s", budget_amount(b.projected, b.budget.unit).c_str());
      }
    }
    ImGui::EndGroup();
    note_rect("budget:" + name);
    note_text(name);
    ImGui::Dummy(ImVec2(0, (compact ? 1 : 3) * s));
    ImGui::PopID();
  }
  if (shown == 0)
    text_dim(tier_only ? "No tier budgets. Add them in Settings." : "No budgets yet. Add them in Settings.");
}

namespace {

std::string clock_time(std::int64_t ts, const std::string& zone) {
  return format_time(ts, zone).substr(11);
}

std::string project_name(const std::string& p) {
  if (p.empty()) return "(no project)";
  auto slash = p.find_last_of('/');
  return slash == std::string::npos || slash + 1 == p.size() ? p : p.substr(slash + 1);
}

void session_card(const live::LiveSession& ls, std::int64_t now, float w, float h) {
  const float s = ui_scale();
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(12 * s, 8 * s));
  ImGui::PushStyleColor(ImGuiCol_ChildBg, palette().card_bg);
  ImGui::BeginChild(ls.session_id.c_str(), ImVec2(w, h), true, ImGuiWindowFlags_NoScrollbar);
  ImGui::PopStyleColor();
  ImGui::PopStyleVar();
  // A green dot while the session answered in the last two minutes.
  const bool hot = now - ls.last_ms < 2 * 60'000;
  ImVec2 p = ImGui::GetCursorScreenPos();
  const float lh = ImGui::GetTextLineHeight();
  ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(p.x + 4 * s, p.y + lh * 0.5f), 4 * s,
                                              hot ? palette().good : palette().text_dim);
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + 14 * s);
  ImGui::PushFont(fonts().bold);
  ImGui::TextUnformatted(project_name(ls.project).c_str());
  ImGui::PopFont();
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  text_right(short_model_name(ls.model));
  ImGui::PopStyleColor();
  ImGui::PushFont(fonts().large);
  ImGui::TextUnformatted(chart::format_usd(ls.cost_usd).c_str());
  ImGui::PopFont();
  note_text(chart::format_usd(ls.cost_usd));
  text_dim("%s tokens · %s/min · %s/h", chart::format_tokens(static_cast<double>(ls.tokens.total())).c_str(),
           chart::format_tokens(ls.tokens_per_minute).c_str(), chart::format_usd(ls.cost_per_hour).c_str());
  text_dim("running %s · %lld responses · last %s", format_hm(ls.elapsed_ms).c_str(),
           static_cast<long long>(ls.responses), chart::format_relative(ls.last_ms, now).c_str());
  ImGui::EndChild();
}

}  // namespace

void block_summary(const Snapshot& s, bool compact) {
  const float sc = ui_scale();
  const live::CurrentBlock& c = s.live.current;
  if (!c.active) {
    text_dim("No active 5-hour block: the next message starts one.");
    if (c.limit_tokens > 0)
      text_dim("Limit %s tokens (%s)", chart::format_tokens(static_cast<double>(c.limit_tokens)).c_str(),
               c.limit_configured ? "configured" : "largest past block");
    return;
  }
  const live::Block& b = c.block;
  const std::int64_t left = b.end_ms - s.now_ms;
  if (!compact) {
    text_dim("%s – %s · %s left", clock_time(b.start_ms, s.zone_name).c_str(),
             clock_time(b.end_ms, s.zone_name).c_str(), format_hm(left).c_str());
  }
  ImGui::PushFont(compact ? fonts().bold : fonts().large);
  ImGui::TextUnformatted(chart::format_usd(b.cost_usd).c_str());
  ImGui::PopFont();
  note_text(chart::format_usd(b.cost_usd));
  ImGui::SameLine();
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + (compact ? 0 : 6 * sc));
  text_dim(compact ? "%s tokens · %s left" : "%s tokens so far",
           chart::format_tokens(static_cast<double>(b.tokens.total())).c_str(), format_hm(left).c_str());
  if (c.limit_tokens > 0) {
    limit_bar("##block", c.used_fraction, c.projected_fraction, status_color(c.status),
              ImVec2(ImGui::GetContentRegionAvail().x, (compact ? 8 : 12) * sc));
    ImGui::PushStyleColor(ImGuiCol_Text, status_color(c.status));
    ImGui::Text("%s of %s", chart::format_percent(c.used_fraction, 0).c_str(),
                chart::format_tokens(static_cast<double>(c.limit_tokens)).c_str());
    ImGui::PopStyleColor();
    ImGui::SameLine();
    if (compact)
      text_dim("· projected %s", chart::format_percent(c.projected_fraction, 0).c_str());
    else
      text_dim("(%s) · projected %s, %s", c.limit_configured ? "your limit" : "largest past block",
               chart::format_percent(c.projected_fraction, 0).c_str(), status_label(c.status));
  }
  if (b.burn) {
    text_dim("Burn rate %s tokens/min · %s/h", chart::format_tokens(b.burn->tokens_per_minute).c_str(),
             chart::format_usd(b.burn->cost_per_hour).c_str());
  }
  if (b.projection && !compact) {
    text_dim("At block end: %s tokens · %s",
             chart::format_tokens(static_cast<double>(b.projection->total_tokens)).c_str(),
             chart::format_usd(b.projection->total_cost).c_str());
  }
}

void draw_live(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  const live::LiveData& l = s.live;
  const std::size_t n = l.sessions.size();
  const int per_row = 3;
  const float card_h = 112 * sc;
  const std::size_t rows = std::max<std::size_t>(1, std::min<std::size_t>((n + per_row - 1) / per_row, 2));
  const float sessions_h = n == 0 ? 96 * sc : (44 + static_cast<float>(rows) * (card_h + 8)) * sc;
  if (begin_panel(st, "live.sessions", "Live sessions", ImVec2(0, sessions_h))) {
    same_line_after_title();
    text_dim("today %s · %s tokens", chart::format_usd(l.today_cost).c_str(),
             chart::format_tokens(static_cast<double>(l.today_tokens)).c_str());
    if (n == 0) {
      text_dim("No session answered in the last 10 minutes. Cards appear here as soon as an agent writes.");
    } else {
      const float w = column_width(per_row);
      for (std::size_t i = 0; i < n && i < static_cast<std::size_t>(per_row) * rows; ++i) {
        if (i % per_row) ImGui::SameLine();
        session_card(l.sessions[i], s.now_ms, w, card_h * 1.0f);
      }
      if (n > static_cast<std::size_t>(per_row) * rows) text_dim("and %zu more", n - per_row * rows);
    }
    end_panel();
  }

  const float half = column_width(2);
  const float mid_h = 236 * sc;
  if (begin_panel(st, "live.block", "Current 5-hour block", ImVec2(half, mid_h))) {
    block_summary(s, false);
    end_panel();
  }
  ImGui::SameLine();
  if (begin_panel(st, "live.budgets", "Budgets", ImVec2(half, mid_h))) {
    ImGui::BeginChild("##budget_list", ImVec2(0, 0), false);
    budget_rows(l.budgets, 32, false);
    ImGui::EndChild();
    end_panel();
  }

  if (begin_panel(st, "live.blocks", "Recent 5-hour blocks", ImVec2(0, 0))) {
    if (l.current.limit_tokens > 0) {
      same_line_after_title();
      text_dim("limit %s tokens", chart::format_tokens(static_cast<double>(l.current.limit_tokens)).c_str());
    }
    chart::ChartData d;
    d.format = chart::Format::Tokens;
    chart::Series past{"Past blocks", {}, series_color(0)};
    chart::Series cur{"Current block", {}, palette().orange};
    for (const auto& b : l.recent_blocks) {
      std::string t = format_time(b.start_ms, s.zone_name);
      d.x_labels.push_back(chart::format_date_label(t.substr(0, 10)) + " " + t.substr(11, 2) + "h");
      d.x_tooltips.push_back(t + " · " + chart::format_usd(b.cost_usd));
      past.values.push_back(b.active ? 0 : static_cast<double>(b.tokens));
      cur.values.push_back(b.active ? static_cast<double>(b.tokens) : 0);
    }
    d.series = {past, cur};
    chart::ChartOptions o;
    o.stacked = true;
    o.height = 0;
    o.show_total = false;
    o.empty_text = "No Claude usage yet";
    chart::bar_chart("blocks", d, o);
    end_panel();
  }
}

// ---- toasts --------------------------------------------------------------------------------

void draw_toasts(const Snapshot* snap, AppState& st) {
  // PNG exports and screenshots show the data, not the alerts, unless asked.
  if (!snap || (st.headless && !st.headless_notices)) return;
  const auto& ns = snap->live.notices;
  std::vector<const live::BudgetNotice*> pending;
  for (const auto& n : ns)
    if (n.id > st.notices_seen) pending.push_back(&n);
  if (pending.empty()) return;
  const float s = ui_scale();
  const ImGuiIO& io = ImGui::GetIO();
  const live::BudgetNotice& n = *pending.back();
  const float w = std::min(360 * s, io.DisplaySize.x - 24 * s);
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x - w - 12 * s, 12 * s));
  ImGui::SetNextWindowSize(ImVec2(w, 0));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, palette().card_bg);
  ImGui::PushStyleColor(ImGuiCol_Border, status_color(n.status));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 2 * s);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(12 * s, 10 * s));
  ImGui::Begin("##toast", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoFocusOnAppearing);
  registry().panels.emplace_back("toast");
  ImGui::PushFont(fonts().bold);
  ImGui::PushStyleColor(ImGuiCol_Text, status_color(n.status));
  ImGui::PushTextWrapPos(w - 48 * s);
  ImGui::TextUnformatted(n.title.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  ImGui::PopFont();
  note_text(n.title);
  if (!st.headless) {
    ImGui::SameLine(w - 40 * s);
    if (ImGui::SmallButton("×##dismiss")) st.notices_seen = pending.back()->id;
  }
  ImGui::PushTextWrapPos(w - 24 * s);
  ImGui::TextUnformatted(n.body.c_str());
  ImGui::PopTextWrapPos();
  if (pending.size() > 1) text_dim("and %zu earlier notices", pending.size() - 1);
  ImGui::End();
  ImGui::PopStyleVar(2);
  ImGui::PopStyleColor(2);
}

}  // namespace costdeck::ui
