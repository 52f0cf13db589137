#pragma once
// Tells the worker when something under the session folders changed, so it reads appended
// lines within a second without polling thousands of files. inotify on Linux (every folder
// below each root, folders created later included); when inotify is unavailable or runs
// out of watches, it degrades to a timed poll and the caller's cheap stat pass does the rest.

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace costdeck::live {

class FileWatcher {
 public:
  // Roots that do not exist yet are retried on every wait().
  explicit FileWatcher(std::vector<std::string> roots);
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  enum class Wake { Changed, Timeout, Woken };
  // Blocks until a change, the timeout, or wake() from another thread. In poll mode a
  // timeout is reported as Changed, since nothing else would notice a change.
  Wake wait(std::chrono::milliseconds timeout);
  void wake();  // thread-safe

  bool using_inotify() const { return inotify_fd_ >= 0 && !overflowed_; }
  std::size_t watched_dirs() const { return dirs_.size(); }

 private:
  void add_tree(const std::string& dir);
  void retry_missing_roots();
  bool drain_events();  // true if anything relevant happened

  std::vector<std::string> roots_;
  std::vector<std::string> missing_;
  std::unordered_map<int, std::string> dirs_;  // watch descriptor -> path
  int inotify_fd_ = -1;
  int wake_fd_ = -1;
  bool overflowed_ = false;  // watch limit reached: fall back to polling
};

}  // namespace costdeck::live
