#include "panels/style.hpp"

#include <imgui_freetype.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace costdeck::ui {

namespace {

// Per ImGui context: the window and an off-screen capture may live side by side, each with
// its own atlas and theme.
struct ContextLook {
  Fonts fonts;
  Theme theme = Theme::Dark;
  Palette palette{};
};
std::unordered_map<const ImGuiContext*, ContextLook> g_looks;
ContextLook& look() { return g_looks[ImGui::GetCurrentContext()]; }

// Debian's fonts-dejavu-core; the atlas asserts on a missing file, so every path is checked.
constexpr const char* kDirs[] = {"/usr/share/fonts/truetype/dejavu/", "/usr/share/fonts/dejavu/",
                                 "/usr/local/share/fonts/"};

// A font file's bytes, read once per process (nullptr when no folder has it). The window
// reads them at start-up; "Save PNG" builds a fresh atlas on the UI thread later, and that
// must not go to the disk.
const std::vector<unsigned char>* font_file(const char* file) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::optional<std::vector<unsigned char>>> cache;
  std::lock_guard<std::mutex> lk(mu);
  auto [it, fresh] = cache.try_emplace(file);
  if (fresh) {
    for (const char* dir : kDirs) {
      std::ifstream in(std::string(dir) + file, std::ios::binary);
      if (!in) continue;
      std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                       std::istreambuf_iterator<char>());
      if (in.bad() || bytes.empty()) continue;
      it->second = std::move(bytes);
      break;
    }
  }
  return it->second ? &*it->second : nullptr;
}

ImFont* add_font(const char* file, float px, const ImWchar* ranges) {
  const std::vector<unsigned char>* data = font_file(file);
  if (!data) return nullptr;
  ImFontConfig cfg;
  cfg.OversampleH = 1;
  cfg.PixelSnapH = true;
  cfg.FontDataOwnedByAtlas = false;  // the cache keeps the bytes for every later atlas
  std::snprintf(cfg.Name, sizeof cfg.Name, "%s, %.0fpx", file, px);
  // ImGui takes a mutable pointer but only reads the data it does not own.
  return ImGui::GetIO().Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(data->data()),
                                                    static_cast<int>(data->size()), px, &cfg, ranges);
}

ImVec4 rgb(int r, int g, int b, float a = 1.0f) { return ImVec4(r / 255.0f, g / 255.0f, b / 255.0f, a); }
ImU32 rgbu(int r, int g, int b, int a = 255) { return IM_COL32(r, g, b, a); }

// Tableau-like palette, readable on both zinc backgrounds.
constexpr ImU32 kSeries[] = {
    IM_COL32(99, 132, 255, 255),  IM_COL32(245, 158, 11, 255), IM_COL32(16, 185, 129, 255),
    IM_COL32(236, 72, 153, 255),  IM_COL32(139, 92, 246, 255), IM_COL32(6, 182, 212, 255),
    IM_COL32(239, 68, 68, 255),   IM_COL32(132, 204, 22, 255), IM_COL32(249, 115, 22, 255),
    IM_COL32(148, 163, 184, 255),
};

}  // namespace

const char* theme_name(Theme t) { return t == Theme::Light ? "light" : "dark"; }

bool theme_from_name(const std::string& s, Theme* out) {
  if (s == "dark") *out = Theme::Dark;
  else if (s == "light") *out = Theme::Light;
  else return false;
  return true;
}

bool load_fonts(float scale) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  io.Fonts->FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
  io.Fonts->FontBuilderFlags = ImGuiFreeTypeBuilderFlags_LightHinting;
  // Latin, general punctuation (— • …), arrows and the check/cross marks of the activity cards.
  static const ImWchar kRanges[] = {0x0020, 0x00FF, 0x0100, 0x017F, 0x2010, 0x2044, 0x2190, 0x21FF,
                                    0x2212, 0x2212, 0x2248, 0x2248, 0x25A0, 0x25FF, 0x2713, 0x2718, 0};
  const float base = 15.0f * scale;
  look().fonts = {};
  look().fonts.regular = add_font("DejaVuSans.ttf", base, kRanges);
  bool ok = look().fonts.regular != nullptr;
  if (!ok) {
    ImFontConfig cfg;
    cfg.SizePixels = 13.0f * scale;
    look().fonts.regular = io.Fonts->AddFontDefault(&cfg);
  }
  look().fonts.bold = add_font("DejaVuSans-Bold.ttf", base, kRanges);
  look().fonts.mono = add_font("DejaVuSansMono.ttf", base - 1.0f * scale, kRanges);
  look().fonts.large = add_font("DejaVuSans-Bold.ttf", 24.0f * scale, kRanges);
  look().fonts.small = add_font("DejaVuSans.ttf", 12.5f * scale, kRanges);
  if (!look().fonts.bold) look().fonts.bold = look().fonts.regular;
  if (!look().fonts.mono) look().fonts.mono = look().fonts.regular;
  if (!look().fonts.large) look().fonts.large = look().fonts.regular;
  if (!look().fonts.small) look().fonts.small = look().fonts.regular;
  io.FontDefault = look().fonts.regular;
  io.Fonts->Build();
  return ok;
}

const Fonts& fonts() { return look().fonts; }
void forget_context(const ImGuiContext* ctx) { g_looks.erase(ctx); }
Theme current_theme() { return look().theme; }
const Palette& palette() { return look().palette; }

ImU32 series_color(int i) {
  constexpr int n = sizeof(kSeries) / sizeof(kSeries[0]);
  return kSeries[((i % n) + n) % n];
}
int series_color_count() { return sizeof(kSeries) / sizeof(kSeries[0]); }

void apply_theme(Theme t, float scale) {
  look().theme = t;
  ImGuiStyle style;
  if (t == Theme::Dark) ImGui::StyleColorsDark(&style);
  else ImGui::StyleColorsLight(&style);
  style.WindowRounding = 0;
  style.ChildRounding = 6;
  style.FrameRounding = 4;
  style.PopupRounding = 4;
  style.GrabRounding = 4;
  style.TabRounding = 4;
  style.ScrollbarRounding = 6;
  style.WindowPadding = ImVec2(12, 12);
  style.FramePadding = ImVec2(8, 4);
  style.ItemSpacing = ImVec2(8, 6);
  style.CellPadding = ImVec2(6, 3);
  style.ChildBorderSize = 1;
  style.WindowBorderSize = 0;
  style.FrameBorderSize = t == Theme::Light ? 1.0f : 0.0f;
  ImVec4* c = style.Colors;
  if (t == Theme::Dark) {
    // Tailwind zinc: 950 background, 900 cards, 800 frames, 700 hover.
    c[ImGuiCol_WindowBg] = rgb(9, 9, 11);
    c[ImGuiCol_ChildBg] = rgb(24, 24, 27);
    c[ImGuiCol_PopupBg] = rgb(24, 24, 27, 0.98f);
    c[ImGuiCol_Border] = rgb(39, 39, 42);
    c[ImGuiCol_FrameBg] = rgb(39, 39, 42);
    c[ImGuiCol_FrameBgHovered] = rgb(63, 63, 70);
    c[ImGuiCol_FrameBgActive] = rgb(82, 82, 91);
    c[ImGuiCol_Text] = rgb(244, 244, 245);
    c[ImGuiCol_TextDisabled] = rgb(161, 161, 170);
    c[ImGuiCol_Button] = rgb(39, 39, 42);
    c[ImGuiCol_ButtonHovered] = rgb(63, 63, 70);
    c[ImGuiCol_ButtonActive] = rgb(82, 82, 91);
    c[ImGuiCol_Header] = rgb(39, 39, 42);
    c[ImGuiCol_HeaderHovered] = rgb(63, 63, 70);
    c[ImGuiCol_HeaderActive] = rgb(82, 82, 91);
    c[ImGuiCol_TableHeaderBg] = rgb(32, 32, 36);
    c[ImGuiCol_TableBorderStrong] = rgb(52, 52, 58);
    c[ImGuiCol_TableBorderLight] = rgb(39, 39, 42);
    c[ImGuiCol_TableRowBgAlt] = rgb(255, 255, 255, 0.025f);
    c[ImGuiCol_ScrollbarBg] = rgb(0, 0, 0, 0);
    c[ImGuiCol_ScrollbarGrab] = rgb(63, 63, 70);
    c[ImGuiCol_CheckMark] = rgb(129, 140, 248);
    c[ImGuiCol_SliderGrab] = rgb(129, 140, 248);
    c[ImGuiCol_PlotHistogram] = rgb(99, 132, 255);
    c[ImGuiCol_Separator] = rgb(39, 39, 42);
    c[ImGuiCol_MenuBarBg] = rgb(24, 24, 27);
    look().palette = {rgbu(24, 24, 27),    rgbu(39, 39, 42),   rgbu(244, 244, 245), rgbu(161, 161, 170),
                 rgbu(39, 39, 42),    rgbu(82, 82, 91),   rgbu(129, 140, 248), rgbu(34, 197, 94),
                 rgbu(234, 179, 8),   rgbu(239, 68, 68),  rgbu(249, 115, 22),  rgbu(39, 39, 42, 245)};
  } else {
    c[ImGuiCol_WindowBg] = rgb(244, 244, 245);
    c[ImGuiCol_ChildBg] = rgb(255, 255, 255);
    c[ImGuiCol_PopupBg] = rgb(255, 255, 255, 0.98f);
    c[ImGuiCol_Border] = rgb(228, 228, 231);
    c[ImGuiCol_FrameBg] = rgb(255, 255, 255);
    c[ImGuiCol_FrameBgHovered] = rgb(244, 244, 245);
    c[ImGuiCol_FrameBgActive] = rgb(228, 228, 231);
    c[ImGuiCol_Text] = rgb(24, 24, 27);
    c[ImGuiCol_TextDisabled] = rgb(113, 113, 122);
    c[ImGuiCol_Button] = rgb(244, 244, 245);
    c[ImGuiCol_ButtonHovered] = rgb(228, 228, 231);
    c[ImGuiCol_ButtonActive] = rgb(212, 212, 216);
    c[ImGuiCol_Header] = rgb(228, 228, 231);
    c[ImGuiCol_HeaderHovered] = rgb(212, 212, 216);
    c[ImGuiCol_HeaderActive] = rgb(200, 200, 205);
    c[ImGuiCol_TableHeaderBg] = rgb(244, 244, 245);
    c[ImGuiCol_TableBorderStrong] = rgb(212, 212, 216);
    c[ImGuiCol_TableBorderLight] = rgb(228, 228, 231);
    c[ImGuiCol_TableRowBgAlt] = rgb(0, 0, 0, 0.02f);
    c[ImGuiCol_ScrollbarBg] = rgb(0, 0, 0, 0);
    c[ImGuiCol_CheckMark] = rgb(79, 70, 229);
    c[ImGuiCol_Separator] = rgb(228, 228, 231);
    c[ImGuiCol_MenuBarBg] = rgb(255, 255, 255);
    look().palette = {rgbu(255, 255, 255),  rgbu(228, 228, 231), rgbu(24, 24, 27),  rgbu(113, 113, 122),
                 rgbu(236, 236, 239),  rgbu(161, 161, 170), rgbu(79, 70, 229), rgbu(22, 163, 74),
                 rgbu(202, 138, 4),    rgbu(220, 38, 38),   rgbu(234, 88, 12), rgbu(255, 255, 255, 250)};
  }
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

}  // namespace costdeck::ui
