// Sources: what was read and what went wrong — files with bytes, lines, responses and
// malformed counts; the first malformed lines as file:line; unknown models; errors.
#include <algorithm>

#include "panels/export.hpp"
#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

std::string bytes_text(double b) {
  char buf[32];
  if (b >= 1 << 30) std::snprintf(buf, sizeof buf, "%.1f GiB", b / (1 << 30));
  else if (b >= 1 << 20) std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1 << 20));
  else if (b >= 1 << 10) std::snprintf(buf, sizeof buf, "%.1f KiB", b / (1 << 10));
  else std::snprintf(buf, sizeof buf, "%.0f B", b);
  return buf;
}

void summary_item(const char* caption, const std::string& value) {
  ImGui::BeginGroup();
  text_dim("%s", caption);
  ImGui::PushFont(fonts().bold);
  ImGui::TextUnformatted(value.c_str());
  ImGui::PopFont();
  ImGui::EndGroup();
}

}  // namespace

void draw_sources(const Snapshot& s, AppState& st) {
  const float sc = ui_scale();
  const SourcesInfo& src = s.sources;
  double bytes = 0;
  std::int64_t lines = 0;
  for (const auto& f : src.files) bytes += static_cast<double>(f.size), lines += f.lines;
  if (begin_panel(st, "sources.summary", "Summary", ImVec2(0, 150 * sc))) {
    const float col = column_width(6);
    const std::pair<const char*, std::string> items[] = {
        {"Files", chart::format_count(static_cast<double>(src.files.size()))},
        {"Bytes", bytes_text(bytes)},
        {"Lines", chart::format_count(static_cast<double>(lines))},
        {"Responses", chart::format_count(static_cast<double>(src.counts.counted_costdeck))},
        {"Duplicates dropped", chart::format_count(static_cast<double>(src.counts.usage_rows - src.counts.counted_costdeck))},
        {"Malformed lines", chart::format_count(static_cast<double>(src.counts.malformed))},
    };
    for (std::size_t i = 0; i < 6; ++i) {
      if (i) ImGui::SameLine(0, 0), ImGui::SetCursorPosX(ImGui::GetStyle().WindowPadding.x + col * i);
      summary_item(items[i].first, items[i].second);
    }
    ImGui::Spacing();
    std::string scan = src.last_scan_ms ? format_time(src.last_scan_ms, s.zone_name) + " (" +
                                              chart::format_relative(src.last_scan_ms, st.now_ms ? st.now_ms : s.now_ms) + ")"
                                        : std::string("never");
    const std::string store = shown_path(s, src.db_path);
    text_dim("Last scan: %s · store: %s", scan.c_str(), short_path(store, 60).c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", src.db_path.c_str());
    note_text("store: " + store);
    std::string roots, real_roots;
    for (const auto& r : src.roots) {
      roots += (roots.empty() ? "" : ", ") + shown_path(s, r);
      real_roots += (real_roots.empty() ? "" : "\n") + r;
    }
    text_dim("Looked in: %s", short_path(roots, 110).c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", real_roots.c_str());
    note_text("looked in: " + roots);
    end_panel();
  }
  const float files_h = std::max(240 * sc, ImGui::GetContentRegionAvail().y - 230 * sc);
  if (begin_panel(st, "sources.files", "Files read", ImVec2(0, files_h))) {
    export_buttons(st, s, "files_table");
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_PadOuterX;
    if (ImGui::BeginTable("files_table", 6, flags)) {
      note_table("files_table");
      ImGui::TableSetupScrollFreeze(0, 1);
      ImGui::TableSetupColumn("File", 0, 3.6f);
      for (const char* c : {"Bytes", "Lines", "Responses", "Malformed"}) ImGui::TableSetupColumn(c, 0, 0.8f);
      ImGui::TableSetupColumn("Status", 0, 1.2f);
      headers_row({1, 2, 3, 4});
      ImGuiListClipper clipper;
      clipper.Begin(static_cast<int>(src.files.size()));
      while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
          const auto& f = src.files[i];
          ImGui::TableNextRow();
          ImGui::TableNextColumn();
          ImGui::TextUnformatted(
              fit_text(shown_path(s, f.path), ImGui::GetContentRegionAvail().x, true).c_str());
          // The real path, demo or not: the one to open.
          if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", f.path.c_str());
          ImGui::PushFont(fonts().mono);
          ImGui::TableNextColumn();
          text_right(bytes_text(static_cast<double>(f.size)));
          ImGui::TableNextColumn();
          text_right(chart::format_count(static_cast<double>(f.lines)));
          ImGui::TableNextColumn();
          text_right(chart::format_count(static_cast<double>(f.counted_lines)));
          ImGui::TableNextColumn();
          text_right(chart::format_count(static_cast<double>(f.malformed)));
          ImGui::PopFont();
          ImGui::TableNextColumn();
          if (!f.error.empty()) {
            ImGui::PushStyleColor(ImGuiCol_Text, palette().bad);
            ImGui::TextUnformatted(f.error.c_str());
            ImGui::PopStyleColor();
          } else if (f.missing) {
            text_dim("missing (rows kept)");
          } else {
            text_dim("ok");
          }
        }
      }
      ImGui::EndTable();
    }
    end_panel();
  }
  const float half = column_width(2);
  if (begin_panel(st, "sources.problems", "Malformed lines", ImVec2(half, 210 * sc))) {
    if (src.malformed.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, palette().good);
      ImGui::TextUnformatted("✓ No malformed lines");
      ImGui::PopStyleColor();
    }
    for (std::size_t i = 0; i < src.malformed.size() && i < 6; ++i) {
      const auto& m = src.malformed[i];
      ImGui::PushFont(fonts().mono);
      ImGui::TextUnformatted(
          (short_path(shown_path(s, m.path), 44) + ":" + std::to_string(m.line_no)).c_str());
      ImGui::PopFont();
      text_dim("  %s", m.reason.c_str());
    }
    if (src.counts.malformed > 6) text_dim("… %lld in all", static_cast<long long>(src.counts.malformed));
    end_panel();
  }
  ImGui::SameLine();
  if (begin_panel(st, "sources.unknown", "Unknown models and errors", ImVec2(half, 210 * sc))) {
    if (src.unknown_models.empty() && src.errors.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, palette().good);
      ImGui::TextUnformatted("✓ Every model has a price; no read errors");
      ImGui::PopStyleColor();
    }
    for (const auto& u : src.unknown_models) {
      ImGui::PushStyleColor(ImGuiCol_Text, palette().warn);
      ImGui::Text("%s: %s tokens without a price", u.model.empty() ? "(no model)" : u.model.c_str(),
                  chart::format_tokens(static_cast<double>(u.totals.tokens.total())).c_str());
      ImGui::PopStyleColor();
    }
    for (std::size_t i = src.errors.size() > 6 ? src.errors.size() - 6 : 0; i < src.errors.size(); ++i) {
      ImGui::PushStyleColor(ImGuiCol_Text, palette().bad);
      ImGui::TextWrapped("%s", shown_path(s, src.errors[i]).c_str());
      ImGui::PopStyleColor();
    }
    end_panel();
  }
}

}  // namespace costdeck::ui
