#pragma once
// Look of the app: the two themes, the fonts and the series palette. Shared by the window,
// the headless renderer and every panel, so a screenshot looks like the window.

#include <imgui.h>

#include <string>

namespace costdeck::ui {

enum class Theme { Dark, Light };
const char* theme_name(Theme t);
bool theme_from_name(const std::string& s, Theme* out);

struct Fonts {
  ImFont* regular = nullptr;
  ImFont* bold = nullptr;
  ImFont* mono = nullptr;   // numbers in tables, so digits line up
  ImFont* large = nullptr;  // card figures
  ImFont* small = nullptr;  // axis labels, captions
};

// Loads DejaVu (FreeType) into the current context's atlas at `scale`; falls back to
// ImGui's built-in font for any face that is missing. Returns false when nothing but the
// fallback could be loaded (the caller may warn).
bool load_fonts(float scale);
const Fonts& fonts();
// Drops what was kept for a context about to be destroyed.
void forget_context(const ImGuiContext* ctx);

// Applies colours and sizes to the current context's style (sizes multiplied by `scale`).
void apply_theme(Theme t, float scale);
Theme current_theme();

// Colours the panels use beyond ImGuiStyle.
struct Palette {
  ImU32 card_bg, card_border, text, text_dim, grid, axis, accent;
  ImU32 good, warn, bad, orange;
  ImU32 tooltip_bg;
};
const Palette& palette();
// Series colour i (stable: the same series keeps its colour across charts).
ImU32 series_color(int i);
int series_color_count();

}  // namespace costdeck::ui
