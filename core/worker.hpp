#pragma once
// The one thread that owns the store and the session files. It ingests (first with
// progress, then on a timer or on request), loads the counted usage and the runs, and
// publishes an immutable Snapshot for the filter the window asked for. It publishes only
// when the data or the filter changed, and wakes the window through a callback (the window
// sets glfwPostEmptyEvent), so an idle window draws nothing.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "core/snapshot.hpp"

namespace costdeck {

struct WorkerOptions {
  std::string db_path;  // resolved (store::resolve_db_path)
  std::vector<std::string> claude_dirs, codex_dirs;  // empty: the defaults
  bool no_scan = false;
  Config config;
  std::chrono::milliseconds refresh{2000};  // how often files are looked at again
  std::int64_t pinned_now_ms = 0;           // 0: the clock
  bool demo = false;
};

// Where the default roots are, for the first-run screen ("looked in ...").
std::vector<std::string> default_source_roots(const WorkerOptions& o);

class Worker {
 public:
  explicit Worker(WorkerOptions opts);
  ~Worker();  // stops and joins
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Called from the worker thread after each publish; must be cheap and thread-safe.
  void set_wake(std::function<void()> wake);
  void start(const ViewFilter& initial);
  void stop();

  // Thread-safe; never blocks on the worker's work.
  void request(const ViewFilter& f);
  void refresh_now();
  SnapshotPtr latest() const;

  // Blocks until a complete snapshot (ready, not scanning) newer than `version` exists, or
  // the timeout. For tests and the screenshot command, never for the UI thread.
  SnapshotPtr wait_newer(std::uint64_t version, std::chrono::milliseconds timeout) const;

  // One synchronous pass on the calling thread (no thread started): ingest unless
  // no_scan, load, build for `f`. The screenshot command uses this.
  SnapshotPtr build_once(const ViewFilter& f);

 struct State;  // what the worker thread owns (store, loaded tables); opaque

 private:
  void run();
  void publish(std::shared_ptr<Snapshot> s);
  std::int64_t now_ms() const;

  WorkerOptions opts_;
  std::unique_ptr<State> st_;  // owned by the worker thread (or build_once's caller)
  std::function<void()> wake_;
  std::thread thread_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;        // wakes the worker
  mutable std::condition_variable published_;  // wakes wait_newer
  SnapshotPtr latest_;
  ViewFilter requested_;
  bool filter_dirty_ = false;
  bool refresh_requested_ = false;
  bool stopping_ = false;
  std::atomic<std::uint64_t> next_version_{1};
};

}  // namespace costdeck
