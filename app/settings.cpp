#include "app/settings.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace costdeck::app {

std::string default_settings_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  std::string base;
  if (xdg && *xdg) base = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home) base = std::string(home) + "/.config";
  else base = ".";
  return base + "/costdeck/settings.json";
}

Settings load_settings(const std::string& path, std::string* warning) {
  Settings s;
  std::ifstream in(path);
  if (!in) return s;
  std::stringstream buf;
  buf << in.rdbuf();
  try {
    auto j = nlohmann::json::parse(buf.str());
    auto get_int = [&](const char* k, int& v) {
      if (j.contains(k) && j[k].is_number_integer()) v = j[k].get<int>();
    };
    auto get_str = [&](const char* k, std::string& v) {
      if (j.contains(k) && j[k].is_string()) v = j[k].get<std::string>();
    };
    get_int("x", s.x);
    get_int("y", s.y);
    get_int("width", s.width);
    get_int("height", s.height);
    if (j.contains("maximized") && j["maximized"].is_boolean()) s.maximized = j["maximized"].get<bool>();
    get_str("view", s.view);
    get_str("theme", s.theme);
    get_str("range", s.range);
    get_str("from", s.from);
    get_str("to", s.to);
    get_str("timezone", s.timezone);
    get_int("compact_x", s.compact_x);
    get_int("compact_y", s.compact_y);
    get_int("compact_width", s.compact_width);
    get_int("compact_height", s.compact_height);
    if (s.compact_width < 240 || s.compact_width > 4096) s.compact_width = 360;
    if (s.compact_height < 240 || s.compact_height > 8192) s.compact_height = 560;
    // A window smaller than this is unusable; a corrupted size must not hide the app.
    if (s.width < 640 || s.width > 16384) s.width = 1280;
    if (s.height < 420 || s.height > 16384) s.height = 820;
  } catch (const std::exception& e) {
    if (warning) *warning = "ignoring " + path + ": " + e.what();
    return Settings{};
  }
  return s;
}

bool save_settings(const std::string& path, const Settings& s, std::string* error) {
  nlohmann::json j = {{"x", s.x},         {"y", s.y},         {"width", s.width}, {"height", s.height},
                      {"maximized", s.maximized}, {"view", s.view}, {"theme", s.theme}, {"range", s.range},
                      {"from", s.from},   {"to", s.to},       {"timezone", s.timezone},
                      {"compact_x", s.compact_x}, {"compact_y", s.compact_y},
                      {"compact_width", s.compact_width}, {"compact_height", s.compact_height}};
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  // Write then rename, so a crash never leaves half a file.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) {
      if (error) *error = "cannot write " + tmp;
      return false;
    }
    out << j.dump(2) << '\n';
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    if (error) *error = "cannot replace " + path + ": " + ec.message();
    return false;
  }
  return true;
}

}  // namespace costdeck::app
