#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

#include "core/live/watcher.hpp"

using namespace costdeck::live;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const char* name) {
  fs::path d = fs::temp_directory_path() / (std::string("costdeck-watch-") + name + "-" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
void append(const fs::path& f, const std::string& s) {
  std::ofstream o(f, std::ios::app);
  o << s;
}
}  // namespace

// An appended line in an existing folder is reported well within the one-second promise.
TEST(FileWatcher, AppendIsReported) {
  auto root = fresh_dir("append");
  fs::create_directories(root / "projects" / "-w-app");
  append(root / "projects" / "-w-app" / "s.jsonl", "{}\n");
  FileWatcher w({root.string()});
  ASSERT_TRUE(w.using_inotify());
  EXPECT_EQ(w.wait(50ms), FileWatcher::Wake::Timeout);  // nothing yet
  append(root / "projects" / "-w-app" / "s.jsonl", "{\"type\":\"user\"}\n");
  EXPECT_EQ(w.wait(1000ms), FileWatcher::Wake::Changed);
  fs::remove_all(root);
}

// Folders created after the watcher started (a new project, a subagents/ folder) are watched too.
TEST(FileWatcher, NewSubfoldersAreFollowed) {
  auto root = fresh_dir("newdir");
  FileWatcher w({root.string()});
  fs::create_directories(root / "p" / "sess" / "subagents");
  EXPECT_EQ(w.wait(1000ms), FileWatcher::Wake::Changed);
  while (w.wait(100ms) != FileWatcher::Wake::Timeout) {
  }
  append(root / "p" / "sess" / "subagents" / "agent-1.jsonl", "{}\n");
  EXPECT_EQ(w.wait(1000ms), FileWatcher::Wake::Changed);
  fs::remove_all(root);
}

// A root that appears later (first run before the agent ever ran) is picked up.
TEST(FileWatcher, MissingRootIsPickedUpWhenCreated) {
  auto parent = fresh_dir("missing");
  auto root = parent / "later";
  FileWatcher w({root.string()});
  EXPECT_EQ(w.watched_dirs(), 0u);
  fs::create_directories(root);
  EXPECT_EQ(w.wait(200ms), FileWatcher::Wake::Changed);
  EXPECT_EQ(w.watched_dirs(), 1u);
  fs::remove_all(parent);
}

// wake() from another thread interrupts a long wait: how the worker is told to stop or refresh.
TEST(FileWatcher, WakeInterruptsWait) {
  auto root = fresh_dir("wake");
  FileWatcher w({root.string()});
  std::thread t([&] {
    std::this_thread::sleep_for(50ms);
    w.wake();
  });
  EXPECT_EQ(w.wait(10s), FileWatcher::Wake::Woken);
  t.join();
  fs::remove_all(root);
}
