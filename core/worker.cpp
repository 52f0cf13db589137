#include "core/worker.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdlib>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <filesystem>
#include <fstream>
#include <set>

#include "core/ingest.hpp"
#include "core/live/watcher.hpp"
#include "core/pricing.hpp"
#include "core/runs/run_cache.hpp"
#include "core/runs/run_store.hpp"
#include "core/store/queries.hpp"
#include "core/store/store.hpp"
#include "core/store/usage_cache.hpp"

namespace costdeck {

std::vector<std::string> default_source_roots(const WorkerOptions& o) {
  std::vector<std::string> roots;
  const char* home = std::getenv("HOME");
  const std::string h = home ? home : "~";
  if (!o.claude_dirs.empty()) {
    roots.insert(roots.end(), o.claude_dirs.begin(), o.claude_dirs.end());
  } else if (const char* c = std::getenv("CLAUDE_CONFIG_DIR"); c && *c) {
    std::string s = c;
    for (std::size_t p = 0; p <= s.size();) {
      std::size_t q = s.find(',', p);
      if (q == std::string::npos) q = s.size();
      if (q > p) roots.push_back(s.substr(p, q - p));
      p = q + 1;
    }
  } else {
    const char* x = std::getenv("XDG_CONFIG_HOME");
    roots.push_back((x && *x ? std::string(x) : h + "/.config") + "/claude");
    roots.push_back(h + "/.claude");
  }
  if (!o.codex_dirs.empty()) {
    roots.insert(roots.end(), o.codex_dirs.begin(), o.codex_dirs.end());
  } else if (const char* c = std::getenv("CODEX_HOME"); c && *c) {
    roots.push_back(c);
  } else {
    roots.push_back(h + "/.codex");
  }
  return roots;
}

// Everything the worker thread owns: the open store and what it loaded from it.
struct Worker::State {
  std::unique_ptr<store::Store> store;
  PriceTable prices = PriceTable::builtin();
  store::UsageCache usage_cache;  // the counted rows, patched when chunks are added
  const store::UsageTable& usage() const { return usage_cache.table(); }
  std::int64_t clamped_reported = 0;  // UsageTable::clamped_rows already in sources.errors
  SourcesInfo sources;
  std::int64_t data_version = -1;
  bool loaded = false;
  bool scanned_once = false;
  std::int64_t files_seen = 0;
  ViewFilter built_for;
  timeutil::Day built_day = 0;
  bool built = false;
  LoadProgress progress;
  // Live: caches keyed by a generation bumped on every reload or config change.
  live::LiveModel live_model;
  std::uint64_t data_gen = 0;
  std::uint64_t config_gen = 0;        // bumped on every config change (run attribution)
  runs::RunCache runs, previous_runs;  // the filter's range, and the span just before it
  std::size_t live_kept_rows = 0;      // leading usage rows unchanged since the live model saw them
  UsageCarry usage_carry;              // the usage reports of the last build, continued by the next
  live::CrossingTracker crossings;
  std::vector<live::BudgetNotice> notices;  // the latest few, oldest first
  std::uint64_t next_notice_id = 1;
  std::string config_path, config_message;
  bool config_error = false;
};

Worker::Worker(WorkerOptions opts) : opts_(std::move(opts)), st_(std::make_unique<State>()) {
  st_->config_path = !opts_.config_path.empty()   ? opts_.config_path
                     : !opts_.config.path.empty() ? opts_.config.path
                                                  : default_config_path();
  std::string err;
  // The user's price overrides, if any; a broken file is reported, not fatal.
  std::string user_prices = default_user_prices_path();
  if (!user_prices.empty() && std::getenv("COSTDECK_NO_USER_PRICES") == nullptr) {
    FILE* f = std::fopen(user_prices.c_str(), "rb");
    if (f) {
      std::fclose(f);
      if (!st_->prices.merge_file(user_prices, &err)) st_->sources.errors.push_back("prices: " + err);
    }
  }
}

Worker::~Worker() {
  stop();
}

void Worker::set_wake(std::function<void()> wake) {
  wake_ = std::move(wake);
}

namespace {

// glibc keeps freed heap pages for reuse, and from its first large free it serves blocks of
// up to 32 MB from the heap too: the window's resident size would ratchet up with every
// rebuild (the previous snapshot, a pass's scratch) and never come down.
void trim_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace

void Worker::start(const ViewFilter& initial) {
#ifdef __GLIBC__
  // Tables of a megabyte or more come straight from mmap, so freeing them returns them.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
  {
    std::lock_guard<std::mutex> lk(mu_);
    requested_ = initial;
    filter_dirty_ = true;
  }
  thread_ = std::thread([this] { run(); });
}

void Worker::stop() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
  }
  wake_worker();
  if (thread_.joinable()) thread_.join();
}

void Worker::request(const ViewFilter& f) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (requested_ == f) return;
    requested_ = f;
    filter_dirty_ = true;
  }
  wake_worker();
}

void Worker::refresh_now() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    refresh_requested_ = true;
  }
  wake_worker();
}

void Worker::save_config(Config c) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    pending_config_ = std::move(c);
  }
  wake_worker();
}

void Worker::save_budgets(std::vector<live::Budget> budgets) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    pending_budgets_ = std::move(budgets);
  }
  wake_worker();
}

void Worker::wake_worker() {
  cv_.notify_all();
  std::lock_guard<std::mutex> lk(mu_);
  if (watcher_) watcher_->wake();
}

SnapshotPtr Worker::latest() const {
  std::lock_guard<std::mutex> lk(mu_);
  return latest_;
}

SnapshotPtr Worker::wait_newer(std::uint64_t version, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lk(mu_);
  published_.wait_for(lk, timeout, [&] {
    return latest_ && latest_->version > version && latest_->ready && !latest_->progress.scanning;
  });
  return latest_;
}

std::int64_t Worker::now_ms() const {
  if (opts_.pinned_now_ms) return opts_.pinned_now_ms;
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Worker::publish(std::shared_ptr<Snapshot> s) {
  s->version = next_version_.fetch_add(1);
  {
    std::lock_guard<std::mutex> lk(mu_);
    latest_ = std::move(s);
  }
  published_.notify_all();
  if (wake_) wake_();
}

namespace {

// The live part of a snapshot, and the crossings it brings (evaluated once per snapshot).
// Per-row costs, blocks and budget samples, once per data change (the snapshot's reports
// reuse the costs).
void update_live(Worker::State& st, const WorkerOptions& o, std::int64_t now) {
  st.live_model.update(st.usage(), st.prices, o.config, st.data_gen, now, st.live_kept_rows);
  st.live_kept_rows = st.usage().rows.size();
}

void fill_live(Worker::State& st, const WorkerOptions& o, const ViewFilter& f, std::int64_t now,
               Snapshot& snap) {
  update_live(st, o, now);
  st.live_model.build(st.usage(), o.config, zone_of(f), now, snap.live);
  for (const auto& c : st.crossings.update(snap.live.budgets)) {
    live::BudgetNotice n = live::make_notice(c, st.next_notice_id++, now);
    if (o.on_notice) o.on_notice(n);
    st.notices.push_back(std::move(n));
  }
  constexpr std::size_t kKeptNotices = 8;
  if (st.notices.size() > kKeptNotices)
    st.notices.erase(st.notices.begin(), st.notices.end() - static_cast<std::ptrdiff_t>(kKeptNotices));
  snap.live.notices = st.notices;
  snap.live.config_path = st.config_path;
  snap.live.config_message = st.config_message;
  snap.live.config_error = st.config_error;
}

}  // namespace

// What a pass should do besides the checks it always makes (data_version, day, filter).
struct PassRequest {
  bool scan = true;             // run the incremental ingest (files changed, or the timer)
  bool filter_changed = false;  // or the config: rebuild even when the data did not change
  bool clock = false;           // something live depends on the clock: refresh the live part
};

// A pass: ingest (if asked and not disabled), reload what changed, rebuild if the data, the
// filter or the day changed. Returns the snapshot built, or nullptr when nothing needed
// building.
static std::shared_ptr<Snapshot> pass(Worker::State& st, const WorkerOptions& o, const ViewFilter& f,
                                      const PassRequest& rq, std::int64_t now,
                                      const std::function<void(const LoadProgress&)>& on_progress,
                                      const SnapshotPtr& previous) {
  using Clock = std::chrono::steady_clock;
  const auto t_start = Clock::now();
  auto lap = [last = t_start]() mutable {
    const auto t = Clock::now();
    const double ms = std::chrono::duration<double, std::milli>(t - last).count();
    last = t;
    return ms;
  };
  SourcesInfo::PassTimes times;
  bool data_changed = !st.loaded;
  if (!o.no_scan && (rq.scan || !st.scanned_once)) {
    IngestOptions io;
    io.claude_dirs = o.claude_dirs;
    io.codex_dirs = o.codex_dirs;
    io.now_ms = o.pinned_now_ms;
    io.progress = [&](const IngestProgress& p) {
      st.progress = {true, p.files_done, p.files_total, p.bytes_done, p.bytes_total, p.bytes_per_second};
      if (on_progress) on_progress(st.progress);
    };
    try {
      IngestStats stats = ingest(*st.store, io);
      st.files_seen = stats.files_seen;
      if (stats.files_read > 0 || stats.files_reset > 0 || !st.scanned_once) data_changed = true;
      if (stats.files_read > 0 || !st.scanned_once) {
        st.sources.duplicates_dropped = stats.duplicates_dropped;
        st.sources.last_scan_seconds = stats.seconds;
        for (const auto& e : stats.errors) st.sources.errors.push_back(e.path + ": " + e.message);
      }
      if (!st.scanned_once) {
        // The first ingest writes a whole history and wants the large cache; afterwards a
        // pass reads a few pages and the OS cache holds the file anyway.
        st.store->db().exec("PRAGMA cache_size = -2048");
        st.store->db().exec("PRAGMA shrink_memory");
      }
      st.scanned_once = true;
    } catch (const std::exception& e) {
      st.sources.errors.push_back(std::string("ingest: ") + e.what());
      data_changed = true;
    }
    st.progress = {};
  }
  times.scan = lap();
  // Writes by other processes (recorders, another ingest) show up as a new data_version.
  try {
    std::int64_t dv = st.store->db().execAndGet("PRAGMA data_version").getInt64();
    if (dv != st.data_version) data_changed = data_changed || st.data_version >= 0, st.data_version = dv;
  } catch (const std::exception&) {
  }
  const timeutil::Zone zone = zone_of(f);
  const timeutil::Day today = zone.day_of(now);
  const bool filter_changed = rq.filter_changed;
  if (!data_changed && !filter_changed && st.built && st.built_day == today && st.built_for == f) {
    if (!rq.clock || !previous) return nullptr;
    // Only the clock moved: the same aggregates, a fresh live part.
    auto snap = std::make_shared<Snapshot>(*previous);
    snap->now_ms = now;
    snap->progress = {};
    fill_live(st, o, f, now, *snap);
    return snap;
  }

  if (data_changed) {
    try {
      store::UsageCacheDelta delta;
      if (st.usage_cache.refresh(st.store->db().getHandle(), &delta)) {
        const std::size_t kept = delta.reloaded ? 0 : delta.first_changed_row;
        st.live_kept_rows = std::min(st.live_kept_rows, kept);
        st.usage_carry.rows_changed_from(kept);
      }
      if (st.usage().clamped_rows > st.clamped_reported) {
        st.clamped_reported = st.usage().clamped_rows;
        st.sources.errors.push_back(store::clamped_rows_message(st.clamped_reported));
      }
      times.usage = lap();
      store::load_sources(*st.store, st.usage_cache.tallies(), &st.sources.files, &st.sources.counts);
      st.sources.malformed = store::load_malformed(*st.store, 12);
      st.sources.last_scan_ms = 0;
      for (const auto& fs : st.sources.files)
        st.sources.last_scan_ms = std::max(st.sources.last_scan_ms, fs.last_scan_ms);
      times.files = lap();
    } catch (const std::exception& e) {
      st.sources.errors.push_back(std::string("store: ") + e.what());
      st.usage_carry.clear();
    }
    st.loaded = true;
    ++st.data_gen;
  }
  auto snap = std::make_shared<Snapshot>();
  static const runs::RunTable kNoRuns;
  const runs::RunTable* runs_in = &kNoRuns;
  const runs::RunTable* previous_in = &kNoRuns;
  const RangeBounds b = range_bounds(f, zone, now);
  runs::RunFilter rf;
  rf.since_ms = b.since_ms;
  rf.until_ms = b.until_ms;
  rf.runtime = f.runtime;
  rf.project = f.project;
  rf.model = f.model;
  rf.tier = f.tier;
  // Kept loaded: a data change costs the runs written since the last pass.
  bool runs_read = false;
  try {
    runs_in = &st.runs.get(st.store->db(), o.config, st.config_gen, rf);
    runs_read = true;
  } catch (const std::exception& e) {
    st.sources.errors.push_back(std::string("runs: ") + e.what());
  }
  // The span just before the range, for the performance cards' "vs previous period".
  if (b.since_ms && b.until_ms) {
    runs::RunFilter pf = rf;
    pf.until_ms = *b.since_ms;
    pf.since_ms = *b.since_ms - (*b.until_ms - *b.since_ms);
    try {
      previous_in = &st.previous_runs.get(st.store->db(), o.config, st.config_gen, pf);
    } catch (const std::exception&) {
      // Already reported by the load above if the store is broken.
    }
  } else {
    st.previous_runs = {};  // "all time" has no span before it: free the last one's runs
  }
  const runs::RunTable& runs = *runs_in;
  times.runs = lap();
  std::set<std::string> tiers;
  for (const auto& r : o.config.tier_rules) tiers.insert(r.tier);
  for (const auto& bgt : o.config.budgets)
    if (!bgt.tier.empty()) tiers.insert(bgt.tier);
  for (const auto& r : runs.rows)
    if (r.tier >= 0) tiers.insert(runs.str(r.tier));
  if (previous)
    for (const auto& t : previous->tier_names) tiers.insert(t);
  if (!f.tier.empty()) tiers.insert(f.tier);
  SnapshotInputs in;
  in.usage = &st.usage();
  in.prices = &st.prices;
  in.config = &o.config;
  in.runs = &runs;
  in.previous_runs = b.since_ms && b.until_ms ? previous_in : nullptr;
  in.tier_names.assign(tiers.begin(), tiers.end());
  update_live(st, o, now);
  times.live = lap();
  in.row_costs = &st.live_model.costs();
  in.carry = &st.usage_carry;
  // The last snapshot came from this table as it was before the get() just made (the same,
  // or one patch ago): the reports of runs that patch did not touch still hold.
  const bool patched = st.runs.last() == runs::RunCache::Last::Patched;
  const bool same_table = runs_read && previous && previous->runs_table != 0 &&
                          st.runs.last() != runs::RunCache::Last::Loaded &&
                          previous->runs_table + (patched ? 1 : 0) == st.runs.changes();
  in.previous = previous.get();
  in.same_issues = same_table && !st.runs.touched().issue;
  in.same_errors = same_table && !st.runs.touched().run_error;
  // The live part fills while the runs' reports build on the other core.
  double live_ms = 0;
  build_snapshot(in, f, now, *snap, [&] {
    const auto t0 = Clock::now();
    fill_live(st, o, f, now, *snap);
    live_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  });
  times.build = lap() - live_ms;
  snap->runs_table = runs_read ? st.runs.changes() : 0;
  times.live += live_ms;
  snap->sources = st.sources;
  snap->sources.db_path = o.db_path;
  snap->sources.roots = default_source_roots(o);
  snap->sources.unknown_models = snap->by_model.unknown_models;
  snap->demo = o.demo;
  snap->first_run = !o.demo && st.usage().rows.empty() && st.sources.counts.files == 0 && runs.rows.empty() &&
                    st.files_seen == 0;
  times.total = std::chrono::duration<double, std::milli>(Clock::now() - t_start).count();
  snap->sources.pass = times;
  st.built = true;
  st.built_for = f;
  st.built_day = today;
  return snap;
}

namespace {

bool open_store(Worker::State* st, const WorkerOptions& o, std::string* err) {
  if (st->store) return true;
  try {
    st->store = std::make_unique<store::Store>(store::Store::open(o.db_path));
    return true;
  } catch (const std::exception& e) {
    *err = e.what();
    return false;
  }
}

// Write then rename, so a crash never leaves half a config file.
bool write_config_file(const Config& c, const std::string& path, std::string* err) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) {
      *err = "cannot write " + tmp;
      return false;
    }
    out << config_to_json(c) << '\n';
    if (!out.flush()) {
      *err = "cannot write " + tmp;
      return false;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    *err = "cannot replace " + path + ": " + ec.message();
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

// The config takes effect either way; a failed save says so (the change then lasts until
// costdeck closes).
void apply_config(Worker::State& st, WorkerOptions& o, Config c) {
  std::string err;
  c.path = st.config_path;
  if (write_config_file(c, st.config_path, &err)) {
    st.config_message = "Saved to " + st.config_path;
    st.config_error = false;
  } else {
    st.config_message = "Not saved (" + err + "); the change lasts until costdeck closes";
    st.config_error = true;
  }
  o.config = std::move(c);
  ++st.data_gen;  // tiers and budgets are part of the live caches
  ++st.config_gen;
  st.live_kept_rows = 0;
  st.usage_carry.clear();
}

}  // namespace

std::optional<Config> Worker::take_pending_config() {
  std::lock_guard<std::mutex> lk(mu_);
  std::optional<Config> c;
  c.swap(pending_config_);
  if (pending_budgets_) {
    if (!c) c = opts_.config;
    c->budgets = std::move(*pending_budgets_);
    pending_budgets_.reset();
  }
  return c;
}

SnapshotPtr Worker::build_once(const ViewFilter& f) {
  std::string err;
  if (!open_store(st_.get(), opts_, &err)) {
    auto s = std::make_shared<Snapshot>();
    s->filter = f;
    s->fatal_error = err;
    s->ready = true;
    publish(s);
    return latest();
  }
  if (std::optional<Config> c = take_pending_config()) apply_config(*st_, opts_, std::move(*c));
  PassRequest rq;
  rq.filter_changed = true;
  auto s = pass(*st_, opts_, f, rq, now_ms(), nullptr, latest());
  if (s) publish(s);
  return latest();
}

void Worker::run() {
  std::string err;
  if (!open_store(st_.get(), opts_, &err)) {
    auto s = std::make_shared<Snapshot>();
    s->fatal_error = err;
    s->ready = true;
    publish(s);
    return;
  }
  using Clock = std::chrono::steady_clock;
  // inotify over every session folder; without it (or when told not to watch) the files
  // are looked at every `refresh`.
  std::unique_ptr<live::FileWatcher> watcher;
  if (opts_.watch && !opts_.no_scan)
    watcher = std::make_unique<live::FileWatcher>(default_source_roots(opts_));
  {
    std::lock_guard<std::mutex> lk(mu_);
    watcher_ = watcher.get();
  }
  struct Unregister {
    Worker* w;
    ~Unregister() {
      std::lock_guard<std::mutex> lk(w->mu_);
      w->watcher_ = nullptr;
    }
  } unregister{this};

  auto last_progress = Clock::now() - std::chrono::seconds(1);
  auto last_scan = Clock::now();
  auto last_live = Clock::now();
  bool files_dirty = true;
  bool trim_again = false;
  for (;;) {
    ViewFilter f;
    PassRequest rq;
    std::optional<Config> pending;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (stopping_) return;
      f = requested_;
      rq.filter_changed = filter_dirty_;
      filter_dirty_ = false;
      if (refresh_requested_) files_dirty = true;
      refresh_requested_ = false;
    }
    // After a publish, once the window has let go of the previous snapshot (on its next
    // frame, well before the worker wakes again).
    if (trim_again) trim_memory(), trim_again = false;
    if ((pending = take_pending_config())) {
      apply_config(*st_, opts_, std::move(*pending));
      rq.filter_changed = true;
    }
    const auto t0 = Clock::now();
    const bool inotify = watcher && watcher->using_inotify();
    if (t0 - last_scan >= (inotify ? opts_.rescan : opts_.refresh)) files_dirty = true;
    rq.scan = files_dirty;
    SnapshotPtr prev = latest();
    rq.clock = prev && live::LiveModel::clock_sensitive(prev->live) && t0 - last_live >= opts_.live_refresh;
    // Progress travels in snapshots too: a copy of the last one with new counters, at most
    // every 100 ms, and only while a pass is slow enough to be seen (the first ingest, a
    // big append), so quiet refreshes wake nobody.
    bool showed_progress = false;
    auto on_progress = [&](const LoadProgress& p) {
      auto t = Clock::now();
      if (t - t0 < std::chrono::milliseconds(300) || p.files_done >= p.files_total) return;
      if (t - last_progress < std::chrono::milliseconds(100)) return;
      last_progress = t;
      auto s = prev ? std::make_shared<Snapshot>(*prev) : std::make_shared<Snapshot>();
      s->progress = p;
      s->filter = f;
      showed_progress = true;
      publish(s);
    };
    auto s = pass(*st_, opts_, f, rq, now_ms(), on_progress, prev);
    if (rq.scan) last_scan = t0, files_dirty = false;
    if (!s && showed_progress) {
      s = prev ? std::make_shared<Snapshot>(*prev) : std::make_shared<Snapshot>();
      s->progress = {};
    }
    if (s) {
      last_live = Clock::now();
      publish(s);
      trim_again = true;
    }

    // Sleep until a session file changes, someone asks (filter, refresh, config, stop), or
    // it is time to look at the store's data_version again.
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (stopping_) return;
      if (filter_dirty_ || refresh_requested_ || pending_config_ || pending_budgets_) continue;
    }
    if (watcher) {
      if (watcher->wait(opts_.store_poll) == live::FileWatcher::Wake::Changed && watcher->using_inotify())
        files_dirty = true;
    } else {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait_for(lk, opts_.store_poll, [&] {
        return stopping_ || filter_dirty_ || refresh_requested_ || pending_config_.has_value() ||
               pending_budgets_.has_value();
      });
    }
  }
}

}  // namespace costdeck
