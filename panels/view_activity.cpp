// Activity: the latest runs as cards ("✓ Fixed cron jobs — $0.56 · task • 2 hours ago •
// claude-opus-4-5 · 8k in / 2k out"), clipped so thousands of runs cost nothing.
#include <algorithm>
#include <cstring>

#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

struct StatusLook {
  const char* icon;
  ImU32 color;
};

StatusLook look_of(runs::RunStatus s) {
  const Palette& p = palette();
  switch (s) {
    case runs::RunStatus::Success: return {"✓", p.good};
    case runs::RunStatus::Error: return {"✗", p.bad};
    case runs::RunStatus::Aborted: return {"■", p.warn};
    case runs::RunStatus::Running: return {"●", p.accent};
    case runs::RunStatus::Pending: return {"○", p.text_dim};
  }
  return {"·", p.text_dim};
}

ImU32 cost_badge_color(double usd) {
  const Palette& p = palette();
  return usd < 0.5 ? p.good : usd < 2 ? p.warn : usd < 5 ? p.orange : p.bad;
}

}  // namespace

std::string activity_line(const runs::RunBrief& r, std::int64_t now_ms) {
  std::string s = r.operation.empty() ? "run" : r.operation;
  s += " • " + chart::format_relative(r.started_ms, now_ms);
  if (!r.model.empty()) s += " • " + short_model_name(r.model);
  s += " · " + chart::format_tokens(static_cast<double>(r.tokens.prompt())) + " in / " +
       chart::format_tokens(static_cast<double>(r.tokens.output)) + " out";
  if (!r.tier.empty()) s += " · " + r.tier;
  if (!r.issue.empty()) s += " · " + r.issue;
  return s;
}

void draw_activity(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  if (!begin_panel(st, "activity.cards", "Latest activity", ImVec2(0, std::max(300 * sc, ImGui::GetContentRegionAvail().y - 2))))
    return;
  static char filter[96] = "";
  ImGui::SetNextItemWidth(260 * sc);
  ImGui::InputTextWithHint("##filter", "Filter by title, type, model, tier", filter, sizeof filter);
  // The filtered list is a per-version cache: recomputed when the text or the data changes.
  static std::uint64_t cached_version = 0;
  static std::string cached_filter;
  static std::vector<std::size_t> rows;
  if (cached_version != s.version || cached_filter != filter) {
    cached_version = s.version;
    cached_filter = filter;
    rows.clear();
    std::string f = filter;
    std::transform(f.begin(), f.end(), f.begin(), [](unsigned char c) { return std::tolower(c); });
    for (std::size_t i = 0; i < s.activity.size(); ++i) {
      const auto& r = s.activity[i];
      std::string hay = r.title + " " + r.operation + " " + r.model + " " + r.tier + " " + r.issue + " " + r.error;
      std::transform(hay.begin(), hay.end(), hay.begin(), [](unsigned char c) { return std::tolower(c); });
      if (f.empty() || hay.find(f) != std::string::npos) rows.push_back(i);
    }
  }
  ImGui::SameLine();
  text_dim("%zu runs", rows.size());
  if (s.activity.empty()) {
    text_dim("No runs in this range. Session-file turns and runs recorded with `costdeck record` appear here.");
    end_panel();
    return;
  }
  ImGui::BeginChild("activity_list", ImVec2(0, 0), false);
  const std::int64_t now = st.now_ms ? st.now_ms : s.now_ms;
  const float line = ImGui::GetTextLineHeight();
  const float card_h = line * 2 + 18 * sc;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Palette& pal = palette();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows.size()), card_h + ImGui::GetStyle().ItemSpacing.y);
  while (clipper.Step()) {
    for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
      const runs::RunBrief& r = s.activity[rows[k]];
      ImGui::PushID(k);
      ImGui::InvisibleButton("##card", ImVec2(std::max(ImGui::GetContentRegionAvail().x - 4 * sc, 1.0f), card_h));
      bool hovered = ImGui::IsItemHovered();
      ImGui::PopID();
      ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
      dl->AddRectFilled(a, b, hovered ? pal.grid : pal.card_bg, 6 * sc);
      dl->AddRect(a, b, pal.card_border, 6 * sc);
      StatusLook lk = look_of(r.status);
      float x = a.x + 12 * sc, y = a.y + 8 * sc;
      ImFont* bold = fonts().bold;
      dl->AddText(bold, bold->FontSize, ImVec2(x, y), lk.color, lk.icon);
      x += ImGui::CalcTextSize(lk.icon).x + 8 * sc;
      std::string title = r.title.empty() ? (r.key.empty() ? "(untitled run)" : r.key) : r.title;
      std::string cost = r.has_cost ? chart::format_usd(r.cost_usd) : "no price";
      // Title is clipped so the cost badge always fits.
      float badge_w = ImGui::CalcTextSize(cost.c_str()).x + 14 * sc;
      ImVec4 clip(x, a.y, b.x - badge_w - 28 * sc, b.y);
      dl->AddText(bold, bold->FontSize, ImVec2(x, y), pal.text, title.c_str(), nullptr, 0, &clip);
      float tw = std::min(bold->CalcTextSizeA(bold->FontSize, FLT_MAX, 0, title.c_str()).x, clip.z - x);
      float bx = x + tw + 10 * sc;
      dl->AddText(ImVec2(bx, y), pal.text_dim, "—");
      bx += ImGui::CalcTextSize("—").x + 8 * sc;
      ImU32 bc = r.has_cost ? cost_badge_color(r.cost_usd) : pal.text_dim;
      dl->AddRectFilled(ImVec2(bx, y - 1 * sc), ImVec2(bx + badge_w, y + line + 1 * sc), (bc & 0x00FFFFFF) | 0x33000000,
                        line * 0.5f);
      dl->AddText(ImVec2(bx + 7 * sc, y), bc, cost.c_str());
      std::string sub = activity_line(r, now);
      ImVec4 clip2(a.x, a.y, b.x - 10 * sc, b.y);
      dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(a.x + 12 * sc + ImGui::CalcTextSize(lk.icon).x + 8 * sc, y + line + 4 * sc),
                  pal.text_dim, sub.c_str(), nullptr, 0, &clip2);
      if (k < 3) note_text(title);
      if (hovered && !r.error.empty()) ImGui::SetTooltip("%s", r.error.c_str());
    }
  }
  ImGui::EndChild();
  end_panel();
}

}  // namespace costdeck::ui
