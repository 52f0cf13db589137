#pragma once
// What the window remembers between runs: size, position, view, theme, range and time
// zone, and the compact window's own position and size. JSON at
// $XDG_CONFIG_HOME/costdeck/settings.json (else ~/.config/costdeck/); a missing or broken
// file gives the defaults (a broken one is reported once, not fatal).

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

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

// The one writer of the settings file while the window runs: the UI thread never touches
// files, so save() hands a copy to a background thread and returns at once. Only the
// newest copy matters: one handed over while another waits replaces it. Failures go to
// stderr, as there is no one to answer them. The destructor writes what is still pending.
class SettingsWriter {
 public:
  explicit SettingsWriter(std::string path);
  ~SettingsWriter();
  SettingsWriter(const SettingsWriter&) = delete;
  SettingsWriter& operator=(const SettingsWriter&) = delete;

  void save(const Settings& s);
  // Blocks until every copy handed over so far is written (tests; never the frame loop).
  void flush();
  int writes() const;  // files written so far (tests: copies were coalesced)

 private:
  void run();

  const std::string path_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Settings> pending_;
  bool writing_ = false, stopping_ = false;
  int writes_ = 0;
  std::thread thread_;  // last: starts once the rest is ready
};

// When a moved or resized window's place is written: once the window has been still for
// kQuietSeconds, or kMinGapSeconds into a long drag, and never sooner than kMinGapSeconds
// after the previous write. Times are seconds on any steady clock.
class PlaceSaveTimer {
 public:
  static constexpr double kQuietSeconds = 0.5;
  static constexpr double kMinGapSeconds = 2.0;

  void changed(double now);  // a move or resize event arrived
  bool due(double now) const;
  void saved(double now);
  // How long the loop may sleep before a write falls due; `idle` when nothing waits.
  double wait_seconds(double now, double idle) const;
  bool pending() const { return pending_; }

 private:
  double due_at() const;

  bool pending_ = false;
  double first_change_ = 0, last_change_ = 0;
  double last_save_ = -1e300;
};

}  // namespace costdeck::app
