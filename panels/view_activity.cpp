// Activity: the live stream of runs and sessions (started, finished, failed, retried),
// newest first, as cards ("✓ Fixed cron jobs — $0.56 · task • 2 hours ago • opus-4-5 ·
// 8k in / 2k out"); a filter and a text search; it follows new events while the list is
// at the top and keeps the rows in view still when the user has scrolled away. Clipped,
// so thousands of events cost nothing.
#include <imgui_internal.h>  // SetNextWindowScroll: re-anchoring without a one-frame jump

#include <algorithm>
#include <cstring>

#include "panels/export.hpp"
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

bool icontains(const std::string& hay, const std::string& needle) {
  if (needle.empty()) return true;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

bool event_matches(const ActivityEvent& e, int kind_filter, const std::string& needle) {
  switch (kind_filter) {
    case 1:
      if (e.is_session) return false;
      break;
    case 2:
      if (!e.is_session) return false;
      break;
    case 3:
      if (e.kind != EventKind::Failed && e.run.status != runs::RunStatus::Error) return false;
      break;
    case 4:
      if (e.kind != EventKind::Retried) return false;
      break;
    case 5:
      if (e.run.status != runs::RunStatus::Running && e.run.status != runs::RunStatus::Pending) return false;
      break;
    default: break;
  }
  if (needle.empty()) return true;
  const auto& r = e.run;
  for (const std::string* f :
       {&r.title, &r.operation, &r.model, &r.tier, &r.issue, &r.session, &r.error, &r.runtime})
    if (icontains(*f, needle)) return true;
  return false;
}

std::string event_key(const ActivityEvent& e) {
  return (e.is_session ? "s:" : "r:") + e.run.key;
}

std::size_t reanchor(const std::vector<std::string>& keys, const std::string& anchor_key,
                     std::size_t old_index) {
  auto it = std::find(keys.begin(), keys.end(), anchor_key);
  if (it != keys.end()) return static_cast<std::size_t>(it - keys.begin());
  return keys.empty() ? 0 : std::min(old_index, keys.size() - 1);
}

namespace {

// "finished · task • 2 hours ago • opus-4-5 · 8k in / 2k out · premium · MIN-104"
std::string event_line(const ActivityEvent& e, std::int64_t now_ms) {
  const auto& r = e.run;
  std::string s = r.operation.empty() ? "run" : r.operation;
  s += " • " + chart::format_relative(e.ts_ms, now_ms);
  if (!r.model.empty()) s += " • " + short_model_name(r.model);
  s += " · " + chart::format_tokens(static_cast<double>(r.tokens.prompt())) + " in / " +
       chart::format_tokens(static_cast<double>(r.tokens.output)) + " out";
  if (!r.tier.empty()) s += " · " + r.tier;
  if (!r.issue.empty()) s += " · " + r.issue;
  return s;
}

// What the stream remembers: the filtered rows of a version, and where the user is.
struct StreamState {
  const Snapshot* snap = nullptr;
  std::uint64_t version = 0;
  int kind = 0;
  std::string search;
  std::vector<std::size_t> rows;
  std::vector<std::string> keys;  // event_key of each row
  bool following = true;          // at the top: new events come into view
  std::string anchor_key;         // first visible row when not following
  std::size_t anchor_index = 0;
  std::size_t unseen = 0;  // events that arrived above the anchor
  float scroll = 0;
  bool jump_top = false;
  bool restore = false;  // rows moved under the anchor: scroll them back into place once
};
StreamState g_stream;
char g_search[96] = "";
int g_kind = 0;

}  // namespace

void draw_activity(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  if (!begin_panel(st, "activity.cards", "Activity",
                   ImVec2(0, std::max(300 * sc, ImGui::GetContentRegionAvail().y - 2))))
    return;
  static const char* kKinds[] = {"All events", "Runs", "Sessions", "Failed", "Retried", "Running"};
  ImGui::SetNextItemWidth(130 * sc);
  ImGui::Combo("##kind", &g_kind, kKinds, IM_ARRAYSIZE(kKinds));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(260 * sc);
  ImGui::InputTextWithHint("##filter", "Search title, type, model, tier, issue", g_search, sizeof g_search);
  StreamState& ss = g_stream;
  if (ss.version != s.version || ss.snap != &s || ss.kind != g_kind || ss.search != g_search) {
    const bool same_filter = ss.kind == g_kind && ss.search == g_search;
    ss.snap = &s;
    ss.version = s.version;
    ss.kind = g_kind;
    ss.search = g_search;
    ss.rows.clear();
    ss.keys.clear();
    for (std::size_t i = 0; i < s.events.size(); ++i)
      if (event_matches(s.events[i], g_kind, ss.search)) {
        ss.rows.push_back(i);
        ss.keys.push_back(event_key(s.events[i]));
      }
    if (!same_filter) {
      ss.following = true;  // a new filter starts at the newest event
      ss.unseen = 0;
      ss.jump_top = true;
    } else if (!ss.following && !ss.anchor_key.empty()) {
      std::size_t j = reanchor(ss.keys, ss.anchor_key, ss.anchor_index);
      if (j > ss.anchor_index) ss.unseen += j - ss.anchor_index;
      ss.restore = j != ss.anchor_index;
      ss.anchor_index = j;
    }
  }
  ImGui::SameLine();
  text_dim("%zu events", ss.rows.size());
  if (!ss.following && ss.unseen > 0) {
    ImGui::SameLine();
    std::string label = "↑ " + std::to_string(ss.unseen) + " new";
    if (ImGui::SmallButton(label.c_str())) ss.jump_top = true;
  } else if (!ss.following) {
    ImGui::SameLine();
    if (ImGui::SmallButton("↑ Newest")) ss.jump_top = true;
  }
  export_buttons(st, s, "activity_events");
  if (ss.rows.empty()) {
    text_dim(s.events.empty()
                 ? "No runs or sessions in this range. Session-file turns and runs recorded with "
                   "`costdeck record` appear here."
                 : "No event matches the filter.");
    note_text(s.events.empty() ? "No activity in this range" : "No event matches");
    end_panel();
    return;
  }
  const std::int64_t now = st.now_ms ? st.now_ms : s.now_ms;
  const float line = ImGui::GetTextLineHeight();
  const float card_h = line * 2 + 18 * sc;
  const float row_h = card_h + ImGui::GetStyle().ItemSpacing.y;
  if (ss.jump_top) {
    ImGui::SetNextWindowScroll(ImVec2(-1.0f, 0.0f));
    ss.following = true;
    ss.unseen = 0;
    ss.jump_top = false;
  } else if (ss.restore) {
    ss.restore = false;
    // Keep the row the user was reading where it was, whatever arrived above it.
    float within = ss.scroll - static_cast<float>(static_cast<std::size_t>(ss.scroll / row_h)) * row_h;
    ImGui::SetNextWindowScroll(ImVec2(-1.0f, static_cast<float>(ss.anchor_index) * row_h + within));
  }
  ImGui::BeginChild("activity_list", ImVec2(0, 0), false);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Palette& pal = palette();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(ss.rows.size()), row_h);
  while (clipper.Step()) {
    for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
      const ActivityEvent& e = s.events[ss.rows[k]];
      const runs::RunBrief& r = e.run;
      ImGui::PushID(k);
      ImGui::InvisibleButton("##card",
                             ImVec2(std::max(ImGui::GetContentRegionAvail().x - 4 * sc, 1.0f), card_h));
      bool hovered = ImGui::IsItemHovered();
      bool clicked = ImGui::IsItemClicked();
      ImGui::PopID();
      ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
      dl->AddRectFilled(a, b, hovered ? pal.grid : pal.card_bg, 6 * sc);
      dl->AddRect(a, b, pal.card_border, 6 * sc);
      StatusLook lk = look_of(r.status);
      if (e.kind == EventKind::Retried) lk.icon = "↻";
      float x = a.x + 12 * sc, y = a.y + 8 * sc;
      ImFont* bold = fonts().bold;
      dl->AddText(bold, bold->FontSize, ImVec2(x, y), lk.color, lk.icon);
      const float icon_w = ImGui::CalcTextSize("✓").x + 8 * sc;
      x += icon_w;
      // Right edge: what happened ("session finished", "retried").
      std::string tag = std::string(e.is_session ? "session " : "") + event_kind_name(e.kind);
      const float tag_w = ImGui::CalcTextSize(tag.c_str()).x;
      dl->AddText(ImVec2(b.x - tag_w - 12 * sc, y), e.kind == EventKind::Failed ? pal.bad : pal.text_dim,
                  tag.c_str());
      std::string title = r.title.empty() ? (r.key.empty() ? "(untitled run)" : r.key) : r.title;
      if (e.is_session) title = short_path(title, 60);
      std::string cost = r.has_cost ? chart::format_usd(r.cost_usd) : "no price";
      // The title is clipped so the cost badge and the tag always fit.
      float badge_w = ImGui::CalcTextSize(cost.c_str()).x + 14 * sc;
      ImVec4 clip(x, a.y, b.x - badge_w - tag_w - 48 * sc, b.y);
      dl->AddText(bold, bold->FontSize, ImVec2(x, y), pal.text, title.c_str(), nullptr, 0, &clip);
      float tw = std::min(bold->CalcTextSizeA(bold->FontSize, FLT_MAX, 0, title.c_str()).x, clip.z - x);
      float bx = x + tw + 10 * sc;
      dl->AddText(ImVec2(bx, y), pal.text_dim, "—");
      bx += ImGui::CalcTextSize("—").x + 8 * sc;
      ImU32 bc = r.has_cost ? cost_badge_color(r.cost_usd) : pal.text_dim;
      dl->AddRectFilled(ImVec2(bx, y - 1 * sc), ImVec2(bx + badge_w, y + line + 1 * sc),
                        (bc & 0x00FFFFFF) | 0x33000000, line * 0.5f);
      dl->AddText(ImVec2(bx + 7 * sc, y), bc, cost.c_str());
      std::string sub = event_line(e, now);
      ImVec4 clip2(a.x, a.y, b.x - 10 * sc, b.y);
      dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(a.x + 12 * sc + icon_w, y + line + 4 * sc),
                  pal.text_dim, sub.c_str(), nullptr, 0, &clip2);
      note_text(title);
      if (hovered && !st.headless) {
        if (!r.error.empty())
          ImGui::SetTooltip("%s\n\n%s", title.c_str(), r.error.c_str());
        else if (!r.session.empty())
          ImGui::SetTooltip("%s\nsession %s · click to open", title.c_str(), r.session.c_str());
      }
      if (clicked && !r.session.empty()) {
        st.selected_session = r.session;
        st.session_search.clear();
        st.view = View::Sessions;
      }
    }
  }
  // Where the user is: at the top, the stream follows; anywhere else, it stays put.
  ss.scroll = ImGui::GetScrollY();
  ss.following = ss.scroll <= 1.0f;
  if (ss.following) {
    ss.unseen = 0;
    ss.anchor_key.clear();
  } else {
    ss.anchor_index = std::min(static_cast<std::size_t>(ss.scroll / row_h), ss.rows.size() - 1);
    ss.anchor_key = ss.keys[ss.anchor_index];
  }
  ImGui::EndChild();
  end_panel();
}

}  // namespace costdeck::ui
