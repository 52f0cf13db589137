#include "core/worker.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdlib>
#include <set>

#include "core/ingest.hpp"
#include "core/pricing.hpp"
#include "core/runs/run_store.hpp"
#include "core/store/queries.hpp"
#include "core/store/store.hpp"

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
  store::UsageTable usage;
  SourcesInfo sources;
  std::int64_t data_version = -1;
  bool loaded = false;
  bool scanned_once = false;
  std::int64_t files_seen = 0;
  ViewFilter built_for;
  timeutil::Day built_day = 0;
  bool built = false;
  LoadProgress progress;
};

Worker::Worker(WorkerOptions opts) : opts_(std::move(opts)), st_(std::make_unique<State>()) {
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

Worker::~Worker() { stop(); }

void Worker::set_wake(std::function<void()> wake) { wake_ = std::move(wake); }

void Worker::start(const ViewFilter& initial) {
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
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Worker::request(const ViewFilter& f) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (requested_ == f) return;
    requested_ = f;
    filter_dirty_ = true;
  }
  cv_.notify_all();
}

void Worker::refresh_now() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    refresh_requested_ = true;
  }
  cv_.notify_all();
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
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
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

// A pass: ingest (unless disabled), reload what changed, rebuild if the data, the filter or
// the day changed. Returns the snapshot built, or nullptr when nothing needed building.
static std::shared_ptr<Snapshot> pass(Worker::State& st, const WorkerOptions& o, const ViewFilter& f, bool filter_changed,
                                      std::int64_t now, const std::function<void(const LoadProgress&)>& on_progress,
                                      const SnapshotPtr& previous) {
  bool data_changed = !st.loaded;
  if (!o.no_scan) {
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
      st.scanned_once = true;
    } catch (const std::exception& e) {
      st.sources.errors.push_back(std::string("ingest: ") + e.what());
      data_changed = true;
    }
    st.progress = {};
  }
  // Writes by other processes (recorders, another ingest) show up as a new data_version.
  try {
    std::int64_t dv = st.store->db().execAndGet("PRAGMA data_version").getInt64();
    if (dv != st.data_version) data_changed = data_changed || st.data_version >= 0, st.data_version = dv;
  } catch (const std::exception&) {
  }
  const timeutil::Zone zone = zone_of(f);
  const timeutil::Day today = zone.day_of(now);
  if (!data_changed && !filter_changed && st.built && st.built_day == today && st.built_for == f) return nullptr;

  if (data_changed) {
    try {
      st.usage = store::load_usage_table(*st.store, store::UsageQuery{});
      st.sources.files = store::load_file_stats(*st.store);
      st.sources.malformed = store::load_malformed(*st.store, 12);
      st.sources.counts = store::load_counts(*st.store);
      st.sources.last_scan_ms = 0;
      for (const auto& fs : st.sources.files) st.sources.last_scan_ms = std::max(st.sources.last_scan_ms, fs.last_scan_ms);
    } catch (const std::exception& e) {
      st.sources.errors.push_back(std::string("store: ") + e.what());
    }
    st.loaded = true;
  }
  auto snap = std::make_shared<Snapshot>();
  runs::RunTable runs;
  const RangeBounds b = range_bounds(f, zone, now);
  runs::RunFilter rf;
  rf.since_ms = b.since_ms;
  rf.until_ms = b.until_ms;
  rf.runtime = f.runtime;
  rf.project = f.project;
  rf.model = f.model;
  rf.tier = f.tier;
  try {
    runs = runs::load_runs(st.store->db(), o.config, rf);
  } catch (const std::exception& e) {
    st.sources.errors.push_back(std::string("runs: ") + e.what());
  }
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
  in.usage = &st.usage;
  in.prices = &st.prices;
  in.config = &o.config;
  in.runs = &runs;
  in.tier_names.assign(tiers.begin(), tiers.end());
  build_snapshot(in, f, now, *snap);
  snap->sources = st.sources;
  snap->sources.db_path = o.db_path;
  snap->sources.roots = default_source_roots(o);
  snap->sources.unknown_models = snap->by_model.unknown_models;
  snap->demo = o.demo;
  snap->first_run = !o.demo && st.usage.rows.empty() && st.sources.counts.files == 0 && runs.rows.empty() &&
                    st.files_seen == 0;
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

}  // namespace

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
  auto s = pass(*st_, opts_, f, true, now_ms(), nullptr, latest());
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
  auto last_progress = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  for (;;) {
    ViewFilter f;
    bool filter_changed;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (stopping_) return;
      f = requested_;
      filter_changed = filter_dirty_;
      filter_dirty_ = false;
      refresh_requested_ = false;
    }
    SnapshotPtr prev = latest();
    // Progress travels in snapshots too: a copy of the last one with new counters, at most
    // every 100 ms, and only while a pass is slow enough to be seen (the first ingest, a
    // big append), so quiet refreshes wake nobody.
    const auto pass_start = std::chrono::steady_clock::now();
    bool showed_progress = false;
    auto on_progress = [&](const LoadProgress& p) {
      auto t = std::chrono::steady_clock::now();
      if (t - pass_start < std::chrono::milliseconds(300) || p.files_done >= p.files_total) return;
      if (t - last_progress < std::chrono::milliseconds(100)) return;
      last_progress = t;
      auto s = prev ? std::make_shared<Snapshot>(*prev) : std::make_shared<Snapshot>();
      s->progress = p;
      s->filter = f;
      showed_progress = true;
      publish(s);
    };
    auto s = pass(*st_, opts_, f, filter_changed, now_ms(), on_progress, prev);
    if (!s && showed_progress) {
      s = prev ? std::make_shared<Snapshot>(*prev) : std::make_shared<Snapshot>();
      s->progress = {};
    }
    if (s) publish(s);
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait_for(lk, opts_.refresh, [&] { return stopping_ || filter_dirty_ || refresh_requested_; });
    if (stopping_) return;
  }
}

}  // namespace costdeck
