// The compact window: a narrow column meant to sit beside the agent's terminal (always on
// top). Today's cost, the live sessions, the current block and the per-tier budgets, one
// under the other, at a glance.
#include <algorithm>

#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

std::string project_tail(const std::string& p) {
  if (p.empty()) return "(no project)";
  auto slash = p.find_last_of('/');
  return slash == std::string::npos || slash + 1 == p.size() ? p : p.substr(slash + 1);
}

void sessions_list(const Snapshot& s, std::size_t max_rows) {
  const auto& ls = s.live.sessions;
  if (ls.empty()) {
    text_dim("No session in the last 10 minutes");
    return;
  }
  for (std::size_t i = 0; i < ls.size() && i < max_rows; ++i) {
    const auto& x = ls[i];
    ImGui::PushID(static_cast<int>(i));
    ImGui::PushFont(fonts().bold);
    ImGui::TextUnformatted(project_tail(x.project).c_str());
    ImGui::PopFont();
    ImGui::SameLine();
    ImGui::PushFont(fonts().mono);
    text_right(chart::format_usd(x.cost_usd));
    ImGui::PopFont();
    note_text(chart::format_usd(x.cost_usd));
    text_dim("%s · %s tok/min · %s", short_model_name(x.model).c_str(),
             chart::format_tokens(x.tokens_per_minute).c_str(), format_hm(x.elapsed_ms).c_str());
    ImGui::PopID();
  }
  if (ls.size() > max_rows) text_dim("and %zu more", ls.size() - max_rows);
}

ImGuiID height_key(const char* id) {  // apart from the id ImGui gives the panel's child window
  ImGui::PushID(id);
  const ImGuiID k = ImGui::GetID("content height");
  ImGui::PopID();
  return k;
}

// The compact panels are as tall as what they hold, which an ImGui 1.86 child cannot be by
// itself: each keeps the height its content took in the frame before (in the compact
// window's ImGui storage), starting from an estimate. What is drawn settles in a frame.
bool begin_fitted(AppState& st, const char* id, const char* title, float w, float estimate) {
  const float h = ImGui::GetStateStorage()->GetFloat(height_key(id), estimate);
  return begin_panel(st, id, title, ImVec2(w, h), false);
}

void end_fitted(const char* id) {
  // The cursor sits one item spacing below the last item; the bottom padding equals the top.
  const float h = ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y + ImGui::GetCursorStartPos().y;
  end_panel();
  ImGui::GetStateStorage()->SetFloat(height_key(id), h);
}

}  // namespace

void draw_compact(const Snapshot* snap, AppState& st) {
  registry().clear();
  const float s = ui_scale();
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(10 * s, 10 * s));
  // No NoScrollbar: a window made shorter than its content scrolls instead of cutting the
  // budgets off.
  ImGui::Begin("costdeck compact", nullptr,
               ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  ImGui::PopStyleVar();
  // Header: the name, the state, and the way back to the full window.
  ImGui::PushFont(fonts().bold);
  ImGui::TextUnformatted("costdeck");
  ImGui::PopFont();
  ImGui::SameLine();
  if (snap && snap->demo)
    text_dim("demo");
  else if (snap && snap->progress.scanning)
    text_dim("scanning…");
  else if (snap && snap->ready)
    text_dim("live");
  if (!st.headless) {
    ImGui::SameLine();
    const char* label = "Full window";
    const float bw = ImGui::CalcTextSize(label).x + ImGui::GetStyle().FramePadding.x * 2;
    ImGui::SetCursorPosX(ImGui::GetWindowContentRegionMax().x - bw);
    if (ImGui::SmallButton(label)) st.want_compact = true;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Back to the full window");
  }
  ImGui::Dummy(ImVec2(0, 2 * s));

  if (!snap || !snap->ready) {
    text_dim("Reading agent session files…");
  } else if (!snap->fatal_error.empty()) {
    ImGui::TextWrapped("%s", snap->fatal_error.c_str());
  } else {
    const live::LiveData& l = snap->live;
    const float w = ImGui::GetContentRegionAvail().x;
    const float line = ImGui::GetTextLineHeightWithSpacing();
    if (begin_fitted(st, "compact.today", "Today", w, 64 * s)) {
      ImGui::SameLine();
      text_right(chart::format_tokens(static_cast<double>(l.today_tokens)) + " tokens");
      ImGui::PushFont(fonts().large);
      ImGui::TextUnformatted(chart::format_usd(l.today_cost).c_str());
      ImGui::PopFont();
      note_text(chart::format_usd(l.today_cost));
      end_fitted("compact.today");
    }
    const std::size_t rows = std::min<std::size_t>(std::max<std::size_t>(l.sessions.size(), 1), 3);
    if (begin_fitted(st, "compact.sessions", "Live sessions", w,
                     20 * s + line * (1 + 2 * static_cast<float>(rows)))) {
      sessions_list(*snap, 3);
      end_fitted("compact.sessions");
    }
    if (begin_fitted(st, "compact.block", "5-hour block", w, 20 * s + line * 4 + 8 * s)) {
      block_summary(*snap, true);
      end_fitted("compact.block");
    }
    // The budgets take what is left, and no less than they need (then the window scrolls).
    const float budgets_need = ImGui::GetStateStorage()->GetFloat(height_key("compact.budgets"), 0);
    const float left = ImGui::GetContentRegionAvail().y;
    if (begin_panel(st, "compact.budgets", "Budgets per tier", ImVec2(w, std::max(left, budgets_need)),
                    false)) {
      // Tier budgets first (what the compact view promises); the others when none exist.
      bool any_tier = std::any_of(l.budgets.begin(), l.budgets.end(),
                                  [](const auto& b) { return !b.budget.tier.empty(); });
      budget_rows(l.budgets, 6, any_tier, true);
      end_fitted("compact.budgets");
    }
  }
  ImGui::End();
  draw_toasts(snap, st);
}

}  // namespace costdeck::ui
