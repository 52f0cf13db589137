#include "app/settings.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
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

SettingsWriter::SettingsWriter(std::string path) : path_(std::move(path)), thread_([this] { run(); }) {}

SettingsWriter::~SettingsWriter() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SettingsWriter::save(const Settings& s) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    pending_ = s;
  }
  cv_.notify_all();
}

void SettingsWriter::flush() {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [this] { return !pending_ && !writing_; });
}

int SettingsWriter::writes() const {
  std::lock_guard<std::mutex> lk(mu_);
  return writes_;
}

void SettingsWriter::run() {
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    cv_.wait(lk, [this] { return pending_ || stopping_; });
    // Stopping still writes what is pending: the last place must not be lost at exit.
    if (!pending_) return;
    Settings s = std::move(*pending_);
    pending_.reset();
    writing_ = true;
    lk.unlock();
    std::string err;
    if (!save_settings(path_, s, &err)) std::fprintf(stderr, "costdeck: %s\n", err.c_str());
    lk.lock();
    writing_ = false;
    ++writes_;
    cv_.notify_all();
  }
}

void PlaceSaveTimer::changed(double now) {
  if (!pending_) first_change_ = now;
  pending_ = true;
  last_change_ = now;
}

bool PlaceSaveTimer::due(double now) const {
  return pending_ && now >= due_at();
}

void PlaceSaveTimer::saved(double now) {
  pending_ = false;
  last_save_ = now;
}

double PlaceSaveTimer::due_at() const {
  return std::max(last_save_ + kMinGapSeconds,
                  std::min(last_change_ + kQuietSeconds, first_change_ + kMinGapSeconds));
}

double PlaceSaveTimer::wait_seconds(double now, double idle) const {
  return pending_ ? std::max(0.0, due_at() - now) : idle;
}

}  // namespace costdeck::app
