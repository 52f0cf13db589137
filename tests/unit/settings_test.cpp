// What the window remembers: the settings file's round trip and its guards, the background
// writer the window hands saves to, when a moved window's place is written, and SIGINT /
// SIGTERM turning into a request to close.
#include "app/settings.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/stop_signals.hpp"

using namespace costdeck::app;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() /
                  ("costdeck-settings-" + std::to_string(::getpid()) + "-" +
                   std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

Settings sample() {
  Settings s;
  s.x = 120, s.y = 80, s.width = 1500, s.height = 950;
  s.maximized = true;
  s.view = "costs";
  s.theme = "light";
  s.range = "custom";
  s.from = "2026-01-01", s.to = "2026-01-15";
  s.timezone = "Europe/Berlin";
  s.compact_x = 1800, s.compact_y = 40, s.compact_width = 380, s.compact_height = 600;
  return s;
}

void expect_same(const Settings& a, const Settings& b) {
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.y, b.y);
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.maximized, b.maximized);
  EXPECT_EQ(a.view, b.view);
  EXPECT_EQ(a.theme, b.theme);
  EXPECT_EQ(a.range, b.range);
  EXPECT_EQ(a.from, b.from);
  EXPECT_EQ(a.to, b.to);
  EXPECT_EQ(a.timezone, b.timezone);
  EXPECT_EQ(a.compact_x, b.compact_x);
  EXPECT_EQ(a.compact_y, b.compact_y);
  EXPECT_EQ(a.compact_width, b.compact_width);
  EXPECT_EQ(a.compact_height, b.compact_height);
}

}  // namespace

// Rule: every field, the compact window's place included, comes back as it was saved, and
// the folder is created when missing.
TEST(Settings, RoundTrip) {
  TempDir d;
  const std::string path = (d.path / "sub/settings.json").string();
  std::string err;
  ASSERT_TRUE(save_settings(path, sample(), &err)) << err;
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  std::string warning;
  expect_same(load_settings(path, &warning), sample());
  EXPECT_TRUE(warning.empty()) << warning;
}

// Rule: a missing file gives the defaults silently; a broken one gives them with a warning;
// sizes no one could use are replaced so the window cannot come up invisible.
TEST(Settings, MissingBrokenAndUnusable) {
  TempDir d;
  std::string warning;
  expect_same(load_settings((d.path / "none.json").string(), &warning), Settings{});
  EXPECT_TRUE(warning.empty());

  const std::string broken = (d.path / "broken.json").string();
  std::ofstream(broken) << "{\"x\": 1,";
  expect_same(load_settings(broken, &warning), Settings{});
  EXPECT_NE(warning.find("broken.json"), std::string::npos) << warning;

  const std::string tiny = (d.path / "tiny.json").string();
  std::ofstream(tiny) << R"({"width": 10, "height": 99999, "compact_width": 0, "compact_height": 100})";
  Settings s = load_settings(tiny);
  EXPECT_EQ(s.width, Settings{}.width);
  EXPECT_EQ(s.height, Settings{}.height);
  EXPECT_EQ(s.compact_width, Settings{}.compact_width);
  EXPECT_EQ(s.compact_height, Settings{}.compact_height);
}

// Rule: the writer returns at once, writes on its own thread, and the newest copy handed
// over is what ends up in the file, also when it is destroyed right after the last save.
TEST(SettingsWriter, NewestCopyWins) {
  TempDir d;
  const std::string path = (d.path / "settings.json").string();
  Settings s = sample();
  {
    SettingsWriter w(path);
    for (int i = 0; i < 50; ++i) {
      s.x = i;
      w.save(s);
    }
    w.flush();
    EXPECT_EQ(load_settings(path).x, 49);
    EXPECT_GE(w.writes(), 1);
    EXPECT_LE(w.writes(), 50);
    s.compact_x = 7;
    w.save(s);
  }
  expect_same(load_settings(path), s);
}

// Rule: a move is written once the window has been still for a moment, a long drag every
// couple of seconds, and never twice within kMinGapSeconds.
TEST(PlaceSaveTimer, QuietThenAtMostEveryTwoSeconds) {
  using T = PlaceSaveTimer;
  T t;
  EXPECT_FALSE(t.due(100));
  EXPECT_EQ(t.wait_seconds(100, 60), 60);

  t.changed(100);  // one move, then nothing
  EXPECT_FALSE(t.due(100 + T::kQuietSeconds / 2));
  EXPECT_NEAR(t.wait_seconds(100, 60), T::kQuietSeconds, 1e-9);
  EXPECT_TRUE(t.due(100 + T::kQuietSeconds));
  t.saved(100 + T::kQuietSeconds);
  EXPECT_FALSE(t.due(200));

  // Another move right after the write: due only kMinGapSeconds after that write.
  const double saved_at = 100 + T::kQuietSeconds;
  t.changed(saved_at + 0.1);
  EXPECT_FALSE(t.due(saved_at + 0.1 + T::kQuietSeconds));
  EXPECT_NEAR(t.wait_seconds(saved_at + 0.1, 60), T::kMinGapSeconds - 0.1, 1e-9);
  EXPECT_TRUE(t.due(saved_at + T::kMinGapSeconds));
  t.saved(saved_at + T::kMinGapSeconds);

  // A drag that never stops: written every kMinGapSeconds all the same.
  T drag;
  double now = 1000;
  int writes = 0;
  for (; now < 1010; now += 0.05) {
    drag.changed(now);
    if (drag.due(now)) drag.saved(now), ++writes;
  }
  EXPECT_GE(writes, 4);
  EXPECT_LE(writes, 5);
}

namespace {

bool wait_for(const std::atomic<int>& v, int at_least) {
  for (int i = 0; i < 500 && v.load() < at_least; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return v.load() >= at_least;
}

}  // namespace

// Rule: SIGTERM and SIGINT do not end the process; they raise the close request and call
// back (the window: glfwPostEmptyEvent) from an ordinary thread. The handlers that were
// there before come back afterwards.
TEST(StopSignals, SignalBecomesACloseRequest) {
  struct sigaction before {};
  sigaction(SIGTERM, nullptr, &before);
  for (int sig : {SIGTERM, SIGINT}) {
    std::atomic<int> calls{0};
    std::thread::id caller;
    {
      StopSignals stop([&] {
        caller = std::this_thread::get_id();
        ++calls;
      });
      ASSERT_TRUE(stop.ok());
      EXPECT_FALSE(StopSignals::requested());
      std::raise(sig);
      ASSERT_TRUE(wait_for(calls, 1)) << "no callback for signal " << sig;
      EXPECT_TRUE(StopSignals::requested());
      EXPECT_NE(caller, std::this_thread::get_id());
    }
    EXPECT_EQ(calls.load(), 1);
  }
  struct sigaction after {};
  sigaction(SIGTERM, nullptr, &after);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
}

// Rule: a second signal while the first is pending ends the process the default way, so a
// close that hangs can still be interrupted.
TEST(StopSignalsDeathTest, SecondSignalEndsTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        std::atomic<int> calls{0};
        StopSignals stop([&] { ++calls; });
        std::raise(SIGTERM);
        wait_for(calls, 1);
        std::raise(SIGTERM);
        std::this_thread::sleep_for(std::chrono::seconds(5));
        std::exit(0);
      },
      ::testing::KilledBySignal(SIGTERM), "");
}
