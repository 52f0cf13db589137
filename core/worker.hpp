#pragma once
// The one thread that owns the store and the session files. It ingests (first with
// progress, then whenever the file watcher reports a session file changed), notices other
// processes' writes to the store (PRAGMA data_version, a cheap check every store_poll),
// loads the counted usage and the runs, and publishes an immutable Snapshot for the filter
// the window asked for. It publishes only when the data, the filter or the config changed
// (and, while something is live, now and then for the clock), and wakes the window through
// a callback (the window sets glfwPostEmptyEvent), so an idle window draws nothing. Budget
// crossings are evaluated here, once per new snapshot, never per frame.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "core/snapshot.hpp"

namespace costdeck {
namespace live {
class FileWatcher;
}

struct WorkerOptions {
  std::string db_path;                               // resolved (store::resolve_db_path)
  std::vector<std::string> claude_dirs, codex_dirs;  // empty: the defaults
  bool no_scan = false;
  Config config;
  std::string config_path;  // where Settings saves the config (empty: config.path, else the default)
  // Without inotify (or with watch = false): how often files are looked at again.
  std::chrono::milliseconds refresh{2000};
  bool watch = true;                              // follow the session folders with inotify
  std::chrono::milliseconds store_poll{400};      // PRAGMA data_version check
  std::chrono::milliseconds rescan{60000};        // a full stat pass even with inotify (safety net)
  std::chrono::milliseconds live_refresh{20000};  // rebuild the live part while something is live
  std::int64_t pinned_now_ms = 0;                 // 0: the clock
  bool demo = false;
  // Called on the worker thread for each budget crossing (desktop notification, the
  // budget's command). Must not block.
  std::function<void(const live::BudgetNotice&)> on_notice;
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
  // Writes the config file (on the worker thread) and uses it from the next snapshot on;
  // the outcome travels in Snapshot::live.config_message.
  void save_config(Config c);
  // The same for the budgets only (what Settings edits): the rest of the config is kept.
  void save_budgets(std::vector<live::Budget> budgets);
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
  void wake_worker();
  std::optional<Config> take_pending_config();  // what save_config / save_budgets asked for  // with mu_ held
                                                // or not: the watcher's wake is thread-safe

  WorkerOptions opts_;
  std::unique_ptr<State> st_;  // owned by the worker thread (or build_once's caller)
  std::function<void()> wake_;
  std::thread thread_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;         // wakes the worker
  mutable std::condition_variable published_;  // wakes wait_newer
  SnapshotPtr latest_;
  ViewFilter requested_;
  bool filter_dirty_ = false;
  bool refresh_requested_ = false;
  bool stopping_ = false;
  std::optional<Config> pending_config_;
  std::optional<std::vector<live::Budget>> pending_budgets_;
  live::FileWatcher* watcher_ = nullptr;  // while run() is active (guarded by mu_)
  std::atomic<std::uint64_t> next_version_{1};
};

}  // namespace costdeck
