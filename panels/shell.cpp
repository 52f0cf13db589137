// The frame around the views: sidebar, global controls (range, filters, time zone), the
// loading / first-run / error screens, the panel card with "Save PNG", and the registry.
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <ctime>

#include "core/timeutil.hpp"
#include "panels/export.hpp"
#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

struct ViewInfo {
  View view;
  const char* name;
  const char* title;
};
// In sidebar order (not the enum's).
constexpr ViewInfo kViews[] = {
    {View::Dashboard, "dashboard", "Dashboard"}, {View::Live, "live", "Live"}, {View::Costs, "costs", "Costs"},
    {View::Tiers, "tiers", "Tiers"},             {View::Performance, "performance", "Performance"},
    {View::Runtimes, "runtimes", "Runtimes"},    {View::Issues, "issues", "Issues"},
    {View::Sessions, "sessions", "Sessions"},    {View::Activity, "activity", "Activity"},
    {View::Sources, "sources", "Sources"},       {View::Settings, "settings", "Settings"},
};

const ViewInfo& info_of(View v) {
  for (const auto& i : kViews)
    if (i.view == v) return i;
  return kViews[0];
}

FrameRegistry g_registry;
// The open panel's title line: where its title ends and where the PNG button starts
// (window-relative x), so texts and buttons can join the line without overlapping.
float g_title_end_x = 0, g_title_right_x = 0;
// Ids of the panels open now (innermost last), so end_panel can note each card's rectangle.
std::vector<std::string> g_open_panels;

constexpr const char* kZones[] = {"",
                                  "UTC",
                                  "America/Los_Angeles",
                                  "America/New_York",
                                  "Europe/London",
                                  "Europe/Berlin",
                                  "Asia/Kolkata",
                                  "Asia/Tokyo",
                                  "Australia/Sydney"};

// SameLine only when the next item of `width` still fits; otherwise it starts a new row.
void same_line_if_fits(float width) {
  float right = ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width;
  if (right <= ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x) ImGui::SameLine();
}

bool combo_strings(const char* label, std::string& value, const std::vector<std::string>& options, const char* all,
                   float width, bool shorten = false) {
  bool changed = false;
  ImGui::SetNextItemWidth(width);
  std::string preview = value.empty() ? all : (shorten ? short_path(value, 22) : value);
  if (ImGui::BeginCombo(label, preview.c_str())) {
    if (ImGui::Selectable(all, value.empty())) value.clear(), changed = true;
    for (const auto& o : options) {
      if (ImGui::Selectable(o.c_str(), o == value)) value = o, changed = true;
    }
    ImGui::EndCombo();
  }
  return changed;
}

void controls(const Snapshot* snap, AppState& st) {
  const float s = ui_scale();
  ViewFilter& f = st.filter;
  ImGui::SetNextItemWidth(150 * s);
  if (ImGui::BeginCombo("##range", range_label(f.range))) {
    for (RangeKind r : {RangeKind::Today, RangeKind::Days7, RangeKind::Days30, RangeKind::Month, RangeKind::All,
                        RangeKind::Custom}) {
      if (ImGui::Selectable(range_label(r), f.range == r)) {
        if (r == RangeKind::Custom) {
          if (f.from.empty() && snap && !snap->daily.days.empty()) {
            f.from = snap->daily.days.front();
            f.to = snap->daily.days.back();
          }
          std::snprintf(st.custom_from, sizeof st.custom_from, "%s", f.from.c_str());
          std::snprintf(st.custom_to, sizeof st.custom_to, "%s", f.to.c_str());
        }
        f.range = r;
      }
    }
    ImGui::EndCombo();
  }
  if (f.range == RangeKind::Custom) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(105 * s);
    ImGui::InputTextWithHint("##from", "YYYY-MM-DD", st.custom_from, sizeof st.custom_from);
    ImGui::SameLine();
    ImGui::TextUnformatted("–");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(105 * s);
    ImGui::InputTextWithHint("##to", "YYYY-MM-DD", st.custom_to, sizeof st.custom_to);
    ImGui::SameLine();
    auto a = timeutil::parse_day(st.custom_from), b = timeutil::parse_day(st.custom_to);
    ImGui::BeginDisabled(!a || !b || *b < *a);
    if (ImGui::Button("Apply") && a && b) {
      f.from = timeutil::format_day(*a);
      f.to = timeutil::format_day(*b);
    }
    ImGui::EndDisabled();
  }
  static const std::vector<std::string> kRuntimes = {"claude", "codex"};
  std::vector<std::string> empty;
  same_line_if_fits(150 * s);
  combo_strings("##project", f.project, snap ? snap->projects : empty, "All projects", 150 * s, true);
  same_line_if_fits(120 * s);
  combo_strings("##runtime", f.runtime, kRuntimes, "All runtimes", 120 * s);
  same_line_if_fits(150 * s);
  combo_strings("##model", f.model, snap ? snap->models : empty, "All models", 150 * s);
  same_line_if_fits(110 * s);
  combo_strings("##tier", f.tier, snap ? snap->tier_names : empty, "All tiers", 110 * s);
  if (ImGui::IsItemHovered() && !st.headless) ImGui::SetTooltip("Tiers attribute runs; usage lines carry no tier.");
  same_line_if_fits(150 * s);
  ImGui::SetNextItemWidth(150 * s);
  std::string zone_preview = f.timezone.empty() ? "Local time" : f.timezone;
  if (ImGui::BeginCombo("##tz", zone_preview.c_str())) {
    for (const char* z : kZones)
      if (ImGui::Selectable(*z ? z : "Local time", f.timezone == z)) f.timezone = z;
    ImGui::EndCombo();
  }
}

void sidebar(const Snapshot* snap, AppState& st) {
  const float s = ui_scale();
  const Palette& pal = palette();
  ImGui::PushFont(fonts().large);
  ImGui::TextUnformatted("costdeck");
  ImGui::PopFont();
  text_dim("%s", snap && snap->demo ? "demo data" : "agent costs");
  ImGui::Dummy(ImVec2(0, 10 * s));
  ImGui::PushStyleVar(ImGuiStyleVar_SelectableTextAlign, ImVec2(0, 0.5f));
  for (const auto& v : kViews) {
    bool selected = st.view == v.view;
    ImVec2 p = ImGui::GetCursorScreenPos();
    if (ImGui::Selectable(v.title, selected, 0, ImVec2(0, 26 * s))) st.view = v.view;
    if (selected)
      ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x - 10 * s, p.y + 4 * s), ImVec2(p.x - 7 * s, p.y + 22 * s),
                                                pal.accent, 2 * s);
  }
  ImGui::PopStyleVar();
  // Bottom: theme switch and scan state.
  float bottom = ImGui::GetWindowHeight() - (st.headless ? 78 : 106) * s;
  if (ImGui::GetCursorPosY() < bottom) ImGui::SetCursorPosY(bottom);
  ImGui::Separator();
  bool dark = st.theme == Theme::Dark;
  if (ImGui::Checkbox("Dark theme", &dark)) st.theme = dark ? Theme::Dark : Theme::Light;
  if (!st.headless) {
    if (ImGui::SmallButton("Compact window")) st.want_compact = true;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("A small always-on-top window to keep beside the terminal");
  }
  if (snap && snap->progress.scanning) text_dim("Scanning…");
  else if (snap && snap->ready) text_dim("%lld responses", static_cast<long long>(snap->sources.counts.counted_costdeck));
}

void progress_screen(const Snapshot* snap) {
  const float s = ui_scale();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  ImGui::SetCursorPos(ImVec2(ImGui::GetCursorPosX() + avail.x * 0.2f, ImGui::GetCursorPosY() + avail.y * 0.3f));
  ImGui::BeginGroup();
  ImGui::PushFont(fonts().large);
  ImGui::TextUnformatted("Reading agent session files…");
  ImGui::PopFont();
  if (snap && snap->progress.scanning) {
    const LoadProgress& p = snap->progress;
    float frac = p.bytes_total > 0 ? static_cast<float>(p.bytes_done) / p.bytes_total : 0.0f;
    ImGui::ProgressBar(frac, ImVec2(avail.x * 0.6f, 8 * s), "");
    text_dim("%lld of %lld files · %s of %s · %s/s", static_cast<long long>(p.files_done),
             static_cast<long long>(p.files_total), chart::format_tokens(static_cast<double>(p.bytes_done)).c_str(),
             chart::format_tokens(static_cast<double>(p.bytes_total)).c_str(),
             chart::format_tokens(p.bytes_per_second).c_str());
    text_dim("(bytes shown as k/M/B)");
  } else {
    text_dim("Opening the store…");
  }
  ImGui::EndGroup();
}

void first_run_screen(const Snapshot& snap, AppState& st) {
  const float s = ui_scale();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  float w = std::min(640 * s, avail.x - 40 * s);
  ImGui::SetCursorPos(ImVec2(ImGui::GetCursorPosX() + (avail.x - w) * 0.5f, ImGui::GetCursorPosY() + 60 * s));
  if (!begin_panel(st, "first_run", "No agent data found yet", ImVec2(w, 230 * s), false)) return;
  ImGui::TextWrapped("costdeck reads the session files that Claude Code and Codex write. None were found in:");
  ImGui::Spacing();
  for (const auto& r : snap.sources.roots) {
    ImGui::PushFont(fonts().mono);
    ImGui::BulletText("%s", r.c_str());
    ImGui::PopFont();
  }
  ImGui::Spacing();
  ImGui::TextWrapped("Run an agent once, or point costdeck at a folder with --claude-dir / --codex-dir. "
                     "Runs recorded with `costdeck record` appear here too.");
  ImGui::Spacing();
  if (ImGui::Button("Open the demo data")) st.want_demo = true;
  ImGui::SameLine();
  if (ImGui::Button("Scan again")) st.want_refresh = true;
  note_text("No agent data found");
  end_panel();
}

void draw_view(const Snapshot& snap, AppState& st) {
  switch (st.view) {
    case View::Dashboard: draw_dashboard(snap, st); break;
    case View::Costs: draw_costs(snap, st); break;
    case View::Tiers: draw_tiers(snap, st); break;
    case View::Sessions: draw_sessions(snap, st); break;
    case View::Activity: draw_activity(snap, st); break;
    case View::Sources: draw_sources(snap, st); break;
    case View::Live: draw_live(snap, st); break;
    case View::Settings: draw_settings(snap, st); break;
    case View::Performance: draw_performance(snap, st); break;
    case View::Runtimes: draw_runtimes(snap, st); break;
    case View::Issues: draw_issues(snap, st); break;
  }
}

}  // namespace

// ---- shared widgets ------------------------------------------------------------------------

float ui_scale() { return ImGui::GetFontSize() / 15.0f; }

float column_width(int n) {
  float sp = ImGui::GetStyle().ItemSpacing.x;
  return std::floor((ImGui::GetContentRegionAvail().x - sp * (n - 1)) / n);
}

void text_right(const std::string& s) {
  float w = ImGui::CalcTextSize(s.c_str()).x;
  float avail = ImGui::GetContentRegionAvail().x;
  if (avail > w) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + avail - w);
  ImGui::TextUnformatted(s.c_str());
}

void headers_row(std::initializer_list<int> right_aligned) {
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  // In a sortable table every sortable column keeps its right end for the sort arrow (ImGui
  // cuts the label there), so a right-aligned label stops short of it.
  const bool sortable = ImGui::TableGetSortSpecs() != nullptr;
  const float arrow_w = std::floor(ImGui::GetFontSize() * 0.65f + ImGui::GetStyle().FramePadding.x);
  for (int c = 0; c < ImGui::TableGetColumnCount(); ++c) {
    if (!ImGui::TableSetColumnIndex(c)) continue;
    const char* name = ImGui::TableGetColumnName(c);
    if (std::find(right_aligned.begin(), right_aligned.end(), c) != right_aligned.end()) {
      const bool arrow = sortable && !(ImGui::TableGetColumnFlags(c) & ImGuiTableColumnFlags_NoSort);
      const float w = ImGui::CalcTextSize(name, nullptr, true).x + (arrow ? arrow_w : 0.0f);
      const float avail = ImGui::GetContentRegionAvail().x;
      if (avail > w) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + avail - w);
    }
    ImGui::PushID(c);  // as TableHeadersRow does, so sorting and ids behave the same
    ImGui::TableHeader(name);
    ImGui::PopID();
  }
}

void text_dim(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  ImGui::TextV(fmt, args);
  ImGui::PopStyleColor();
  va_end(args);
}

ImU32 change_color(double current, double previous) {
  if (previous == 0 || current == previous) return palette().text_dim;
  return current > previous ? palette().orange : palette().good;
}

void stat_body(const char* caption, const std::string& value, const std::string& sub, ImU32 sub_color) {
  text_dim("%s", caption);
  ImGui::PushFont(fonts().large);
  ImGui::TextUnformatted(value.c_str());
  ImGui::PopFont();
  note_text(value);
  if (!sub.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, sub_color);
    ImGui::TextUnformatted(sub.c_str());
    ImGui::PopStyleColor();
  }
}

std::string short_model_name(const std::string& m) {
  std::string s = m;
  if (s.rfind("claude-", 0) == 0) s = s.substr(7);
  if (s.size() > 9 && s[s.size() - 9] == '-' &&
      std::all_of(s.end() - 8, s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    s.resize(s.size() - 9);
  return s.empty() ? "(unknown)" : s;
}

std::string short_path(const std::string& p, std::size_t max_chars) {
  if (p.size() <= max_chars) return p;
  return "…" + p.substr(p.size() - (max_chars - 1));
}

std::string shown_path(const Snapshot& s, const std::string& path) {
  if (!s.demo) return path;
  const std::size_t slash = s.sources.db_path.rfind('/');
  if (slash == std::string::npos || slash == 0) return path;
  const std::string root = s.sources.db_path.substr(0, slash + 1);  // with its trailing slash
  std::string out;
  std::size_t from = 0;
  for (std::size_t at; (at = path.find(root, from)) != std::string::npos; from = at + root.size())
    out.append(path, from, at - from).append(kDemoRoot).append("/");
  return from == 0 ? path : out.append(path, from);
}

std::string fit_text(const std::string& s, float width, bool keep_end) {
  if (ImGui::CalcTextSize(s.c_str()).x <= width) return s;
  // Cut only between UTF-8 characters (never inside one).
  std::vector<std::size_t> cuts;
  for (std::size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) cuts.push_back(i);
  auto candidate = [&](std::size_t k) {  // keep k characters
    return keep_end ? "…" + s.substr(cuts[cuts.size() - 1 - k]) : s.substr(0, cuts[k]) + "…";
  };
  std::size_t lo = 0, hi = cuts.size() - 1;  // the most characters that fit lies in [lo, hi)
  while (lo + 1 < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (ImGui::CalcTextSize(candidate(mid).c_str()).x <= width)
      lo = mid;
    else
      hi = mid;
  }
  return candidate(lo);
}

std::string format_time(std::int64_t ts_ms, const std::string& zone_name) {
  timeutil::Zone z = timeutil::Zone::utc();
  try {
    z = zone_name.empty() || zone_name == "UTC" ? timeutil::Zone::utc() : timeutil::Zone::named(zone_name);
  } catch (...) {
  }
  timeutil::Day d = z.day_of(ts_ms);
  std::int64_t into = ts_ms - z.start_of_day_ms(d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d", timeutil::format_day(d).c_str(), static_cast<int>(into / 3'600'000),
                static_cast<int>(into / 60'000 % 60));
  return buf;
}

// ---- registry and panels -----------------------------------------------------------------

const char* view_name(View v) { return info_of(v).name; }
const char* view_title(View v) { return info_of(v).title; }
std::optional<View> view_from_name(const std::string& s) {
  for (const auto& v : kViews)
    if (s == v.name) return v.view;
  return std::nullopt;
}

bool FrameRegistry::has_panel(const std::string& id) const {
  return std::find(panels.begin(), panels.end(), id) != panels.end();
}
bool FrameRegistry::has_table(const std::string& id) const {
  return std::find(tables.begin(), tables.end(), id) != tables.end();
}
const NotedRect* FrameRegistry::rect(const std::string& id) const {
  for (auto it = rects.rbegin(); it != rects.rend(); ++it)
    if (it->id == id) return &*it;
  return nullptr;
}
FrameRegistry& registry() { return g_registry; }
void note_table(const char* id) { g_registry.tables.emplace_back(id); }
void note_text(const std::string& s) { g_registry.texts.push_back(s); }
void note_rect(const std::string& id) {
  const ImDrawList* dl = ImGui::GetWindowDrawList();
  g_registry.rects.push_back(
      {id, ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), dl->GetClipRectMin(), dl->GetClipRectMax()});
}

bool begin_panel(AppState& st, const char* id, const char* title, ImVec2 size, bool save_button) {
  const bool solo = !st.solo_panel.empty();
  if (solo && st.solo_panel != id) return false;
  if (solo) size = ImVec2(0, 0);
  g_registry.panels.emplace_back(id);
  g_open_panels.emplace_back(id);
  const float s = ui_scale();
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(14 * s, 10 * s));
  ImGui::BeginChild(id, size, true, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleVar();
  const ImVec2 panel_size = ImGui::GetWindowSize();
  ImGui::PushFont(fonts().bold);
  ImGui::TextUnformatted(title);
  ImGui::PopFont();
  g_title_end_x = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x + ImGui::GetStyle().ItemSpacing.x;
  g_title_right_x = ImGui::GetWindowContentRegionMax().x;
  if (save_button && !solo && !st.headless) {
    ImGui::SameLine();
    const char* label = "PNG";
    float bw = ImGui::CalcTextSize(label).x + 12 * s;
    ImGui::SetCursorPosX(ImGui::GetWindowContentRegionMax().x - bw);
    g_title_right_x = ImGui::GetCursorPosX() - ImGui::GetStyle().ItemSpacing.x;
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(6 * s, 1 * s));
    ImGui::PushStyleColor(ImGuiCol_Button, IM_COL32(0, 0, 0, 0));
    if (ImGui::SmallButton(label)) ImGui::OpenPopup("save_png");
    ImGui::PopStyleColor();
    ImGui::PopStyleVar();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Save this panel as PNG");
    if (ImGui::BeginPopup("save_png")) {
      // The panel's size in unscaled pixels: the PNG is drawn at 1x or 2x of that.
      for (float k : {1.0f, 2.0f}) {
        if (ImGui::Selectable(k == 1.0f ? "Save PNG (1×)" : "Save PNG (2×)"))
          st.capture = CaptureRequest{id, k, ImVec2(panel_size.x / s, panel_size.y / s)};
      }
      ImGui::EndPopup();
    }
  }
  return true;
}

void end_panel() {
  ImGui::EndChild();
  // The card is now the parent's last item, and the parent's clip is what shows of it.
  if (!g_open_panels.empty()) {
    note_rect(g_open_panels.back());
    g_open_panels.pop_back();
  }
}

void same_line_after_title() { ImGui::SameLine(g_title_end_x); }

float take_title_right(float width) {
  g_title_right_x -= width;
  return g_title_right_x;
}

void draw_app(const Snapshot* snap, AppState& st) {
  if (st.compact && st.solo_panel.empty()) return draw_compact(snap, st);
  g_registry.clear();
  // Background exports report back here, on the UI thread. Not in an off-screen copy (Save
  // PNG, screenshots): a message taken there would be lost with the copy.
  if (!st.headless)
    if (auto m = take_export_status()) st.status = *m;
  const float s = ui_scale();
  ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  const ImGuiWindowFlags root_flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::Begin("costdeck", nullptr, root_flags);
  ImGui::PopStyleVar();

  if (!st.solo_panel.empty()) {
    // PNG export: the one panel, filling the image, with a margin.
    ImGui::SetCursorPos(ImVec2(8 * s, 8 * s));
    ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(0, 0, 0, 0));
    ImGui::BeginChild("solo", ImVec2(io.DisplaySize.x - 16 * s, io.DisplaySize.y - 16 * s), false);
    ImGui::PopStyleColor();
    if (snap && snap->ready) draw_view(*snap, st);
    ImGui::EndChild();
    ImGui::End();
    return;
  }

  // Sidebar.
  const float side_w = 190 * s;
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImGui::GetStyle().Colors[ImGuiCol_ChildBg]);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(14 * s, 16 * s));
  ImGui::PushStyleVar(ImGuiStyleVar_ChildRounding, 0);
  ImGui::BeginChild("sidebar", ImVec2(side_w, 0), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
  sidebar(snap, st);
  ImGui::EndChild();
  ImGui::PopStyleVar(2);
  ImGui::PopStyleColor();
  ImGui::SameLine(0, 0);

  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(18 * s, 14 * s));
  // Main area and content scroll region show the window background, so cards stand out.
  ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(0, 0, 0, 0));
  ImGui::BeginChild("main", ImVec2(0, 0), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
  ImGui::PopStyleVar();
  // Header: view title, range text, then the global controls on their own row.
  ImGui::PushFont(fonts().large);
  ImGui::TextUnformatted(view_title(st.view));
  ImGui::PopFont();
  if (snap && snap->ready) {
    ImGui::SameLine();
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 7 * s);
    text_dim("%s · %s", snap->range_text.c_str(), snap->zone_name.c_str());
  }
  controls(snap, st);
  if (snap && snap->progress.scanning && snap->ready) {
    const LoadProgress& p = snap->progress;
    ImGui::ProgressBar(p.bytes_total ? static_cast<float>(p.bytes_done) / p.bytes_total : 0.0f, ImVec2(-1, 4 * s), "");
  }
  ImGui::Dummy(ImVec2(0, 4 * s));
  ImGui::BeginChild("content", ImVec2(0, st.status.empty() ? 0 : -ImGui::GetFrameHeightWithSpacing()), false);
  ImGui::PopStyleColor();
  if (snap && !snap->fatal_error.empty()) {
    if (begin_panel(st, "error", "The store could not be opened", ImVec2(0, 120 * s), false)) {
      ImGui::TextWrapped("%s", snap->fatal_error.c_str());
      note_text(snap->fatal_error);
      end_panel();
    }
  } else if (!snap || !snap->ready) {
    progress_screen(snap);
  } else if (snap->first_run) {
    first_run_screen(*snap, st);
  } else {
    draw_view(*snap, st);
  }
  ImGui::EndChild();
  if (!st.status.empty()) text_dim("%s", st.status.c_str());
  ImGui::EndChild();
  ImGui::End();
  draw_toasts(snap, st);
}

std::vector<std::string> panel_ids(View v) {
  switch (v) {
    case View::Dashboard: return {"dash.today", "dash.week", "dash.month", "dash.tokens", "dash.sessions", "dash.top_model", "dash.daily"};
    case View::Costs: return {"costs.daily", "costs.models", "costs.operations", "costs.model_table", "costs.top_sessions", "costs.top_runs"};
    case View::Tiers: return {"tiers.table", "tiers.budgets", "tiers.share"};
    case View::Sessions: return {"sessions.table", "sessions.detail"};
    case View::Performance:
      return {"perf.success_rate", "perf.avg_time", "perf.tasks", "perf.errors_today",
              "perf.success",      "perf.slowest",  "perf.errors", "perf.occurrences"};
    case View::Runtimes: return {"runtimes.table", "runtimes.cost", "runtimes.success", "runtimes.operations"};
    case View::Issues: return {"issues.list", "issues.detail"};
    case View::Activity: return {"activity.cards"};
    case View::Sources: return {"sources.summary", "sources.files", "sources.problems", "sources.unknown"};
    case View::Live: return {"live.sessions", "live.block", "live.budgets", "live.blocks"};
    case View::Settings: return {"settings.budgets", "settings.form", "settings.appearance"};
  }
  return {};
}

}  // namespace costdeck::ui
