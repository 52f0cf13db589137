#pragma once
// What the window remembers between runs: size, position, view, theme, range and time
// zone, and the compact window's own position and size. JSON at $XDG_CONFIG_HOME/costdeck/settings.json (else ~/.config/costdeck/); a
// missing or broken file gives the defaults (a broken one is reported once, not fatal).

#include <string>

namespace costdeck::app {

struct Settings {
  int x = -1, y = -1;  // -1: let the window manager place it
  int width = 1280, height = 820;
  bool maximized = false;
  std::string view = "dashboard";
  std::string theme = "dark";
  std::string range = "30d";
  std::string from, to;  // custom range
  std::string timezone;
  // The compact window keeps its own place, apart from the full window's.
  int compact_x = -1, compact_y = -1;
  int compact_width = 360, compact_height = 560;
};

std::string default_settings_path();
// Never throws; *warning gets a message when the file exists but could not be used.
Settings load_settings(const std::string& path, std::string* warning = nullptr);
bool save_settings(const std::string& path, const Settings& s, std::string* error = nullptr);

}  // namespace costdeck::app
