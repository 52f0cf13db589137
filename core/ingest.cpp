#include "core/ingest.hpp"

#include <SQLiteCpp/Database.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/runs/codex_runs.hpp"
#include "core/runs/session_runs.hpp"
#include "core/sources/discovery.hpp"
#include "core/sources/session_file.hpp"
#include "core/store/queries.hpp"
#include "core/store/sqlite_util.hpp"
#include "core/store/store.hpp"
#include "core/store/writer.hpp"

namespace costdeck {

namespace fs = std::filesystem;
using sources::FileKind;
using store::FileRecord;
using store::FileUpdate;

namespace {

constexpr auto kHashWindow = static_cast<std::int64_t>(sources::FileReadResult::kHashWindow);
constexpr std::size_t kMaxExamples = 20;
constexpr std::int64_t kTrimAfterBytes = std::int64_t{64} << 20;
constexpr std::size_t kReadAhead = 256;  // files read but not yet written, at most (results are small)

std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct Found {
  std::string path;
  FileKind kind;
  std::string project_dir;
};

// ---- One file -------------------------------------------------------------------------

struct Identity {
  std::uint64_t dev = 0, ino = 0;
  std::int64_t size = 0, mtime_ns = 0;
};

// xxh64 of the first and of the last <= 4 KiB before `offset`: the bytes we already read.
// False when the file cannot be read.
bool window_hashes(const std::string& path, std::int64_t offset, std::uint64_t& head, std::uint64_t& tail) {
  head = tail = 0;
  if (offset <= 0) return true;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[kHashWindow];
  auto read_at = [&](std::int64_t from, std::int64_t len, std::uint64_t& out) {
    ssize_t n = ::pread(fd, buf, static_cast<std::size_t>(len), from);
    if (n != len) return false;
    out = XXH3_64bits(buf, static_cast<std::size_t>(len));
    return true;
  };
  std::int64_t head_len = std::min(offset, kHashWindow);
  bool ok = read_at(0, head_len, head) && read_at(offset - head_len, head_len, tail);
  ::close(fd);
  return ok;
}

struct Job {
  Found found;
  Identity id;
  std::optional<FileRecord> rec;            // the stored state, if any
  std::vector<runs::TurnState> turn_state;  // its open turns, if any
  bool activity = true;                     // read its activity too (else usage only)
};

// Codex rollouts are always read whole: their running totals and their turns are one read.
bool wants_activity(const IngestOptions& opts, FileKind kind) {
  return opts.keep_activity || kind == FileKind::CodexRollout;
}

// One read of the file; activity lines go through a turn tracker (Claude's or Codex's) on
// this thread, and a Claude transcript's usage copies are packed for the store as they are
// read (no event kept per copy; a Codex rollout's are packed after the read).
sources::FileReadResult read_once(const Job& job, const FileRecord& r, const sources::FileCursor& from,
                                  std::int64_t usage_from, bool reset, runs::FileActivity* activity,
                                  store::UsagePacker& packer) {
  sources::ReadOptions ro;
  ro.keep_activity = job.activity && r.kind == FileKind::ClaudeTranscript;
  ro.usage_from = usage_from;
  if (r.kind == FileKind::ClaudeTranscript)
    ro.on_usage = [&packer](const UsageEvent& e, sources::CopyKind kind) { packer.add(e, kind); };
  if (r.kind == FileKind::CodexRollout) {
    runs::CodexTurnTracker tracker(reset ? std::vector<runs::TurnState>{} : job.turn_state);
    ro.on_codex_activity = [&](const sources::CodexLine& l) { tracker.feed(l); };
    sources::FileReadResult res = sources::read_session_file(r.kind, r.path, from, ro);
    *activity = tracker.finish();
    return res;
  }
  if (!ro.keep_activity) return sources::read_session_file(r.kind, r.path, from, ro);
  runs::TurnTracker tracker(reset ? std::vector<runs::TurnState>{} : job.turn_state);
  ro.on_activity = [&](const sources::ClaudeLine& l) { tracker.feed(l); };
  sources::FileReadResult res = sources::read_session_file(r.kind, r.path, from, ro);
  *activity = tracker.finish();
  return res;
}

FileUpdate run_job(const Job& job, std::int64_t now, runs::FileActivity* activity) {
  FileUpdate u;
  u.observed_in_store = job.rec.has_value();
  u.observed_offset = job.rec ? job.rec->cursor.offset : 0;
  u.observed_runs_offset = job.rec ? job.rec->runs_offset : 0;
  u.activity_read = job.activity;
  FileRecord& r = u.record;
  if (job.rec) {
    r = *job.rec;
  } else {
    r.path = job.found.path;
    r.kind = job.found.kind;
    r.project_dir = job.found.project_dir;
    r.first_seen_ms = now;
  }
  r.last_scan_ms = now;

  bool reset = false;
  if (job.rec && job.rec->cursor.offset > 0) {
    const FileRecord& old = *job.rec;
    if (old.dev != job.id.dev || old.ino != job.id.ino || job.id.size < old.cursor.offset) {
      reset = true;
    } else {
      std::uint64_t head = 0, tail = 0;
      if (!window_hashes(r.path, old.cursor.offset, head, tail)) {
        u.result.error = std::string("cannot read: ") + std::strerror(errno);
        return u;
      }
      reset = head != old.head_hash || tail != old.tail_hash;
    }
  }

  sources::FileCursor from = reset ? sources::FileCursor{} : r.cursor;
  std::int64_t usage_from = from.offset;
  if (!reset && job.activity && r.runs_offset < r.cursor.offset) {
    // Lines an earlier usage-only pass read: now for their activity (Claude only).
    from.offset = r.runs_offset;
    from.line_no = r.runs_line;
    u.caught_up = true;
  }
  store::UsagePacker packer;
  u.result = read_once(job, r, from, usage_from, reset, activity, packer);
  if (u.result.error.empty() && u.result.shrank && !reset) {
    reset = true;
    packer = {};
    u.result = read_once(job, r, sources::FileCursor{}, 0, reset, activity, packer);
  }
  if (!u.result.error.empty()) return u;
  // Packed here, on the reader's thread: the writer's thread is the ingest's bottleneck.
  if (r.kind == FileKind::ClaudeTranscript) {
    u.packed = packer.take();
  } else {
    u.packed = store::pack_usage(u.result);
    u.result.usage = {};
    u.result.ccusage_only = {};
  }

  if (reset) {
    u.reset = true;
    ++r.resets;
    r.lines = r.usage_lines = r.malformed = 0;
  }
  r.dev = job.id.dev;
  r.ino = job.id.ino;
  r.size = job.id.size;
  r.mtime_ns = job.id.mtime_ns;
  r.cursor = u.result.next;
  if (job.activity) {
    r.runs_offset = r.cursor.offset;
    r.runs_line = r.cursor.line_no;
  } else if (reset) {
    r.runs_offset = r.runs_line = 0;
  }
  r.missing = false;
  if (u.result.has_window_hashes) {
    r.head_hash = u.result.head_hash;
    r.tail_hash = u.result.tail_hash;
  } else if (!window_hashes(r.path, r.cursor.offset, r.head_hash, r.tail_hash)) {
    u.result.error = std::string("cannot read: ") + std::strerror(errno);
  }
  return u;
}

}  // namespace

namespace {

// The given files only, described as discovery would (no roots: nothing becomes missing).
sources::Discovery discover_only(const std::vector<std::string>& paths) {
  sources::Discovery d;
  for (const auto& p : paths) {
    sources::DiscoveredFile f;
    std::size_t at = p.rfind("/projects/");
    if (at != std::string::npos) {
      f.kind = FileKind::ClaudeTranscript;
      f.data_dir = p.substr(0, at + 9);
    } else if ((at = p.rfind("/sessions/")) != std::string::npos) {
      f.kind = FileKind::CodexRollout;
      f.data_dir = p.substr(0, at + 9);
    } else {
      continue;
    }
    struct stat sb {};
    if (::stat(p.c_str(), &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
    f.path = p;
    f.size = sb.st_size;
    f.mtime_ns = std::int64_t{sb.st_mtim.tv_sec} * 1000000000 + sb.st_mtim.tv_nsec;
    f.inode = sb.st_ino;
    f.device = sb.st_dev;
    if (f.kind == FileKind::ClaudeTranscript) sources::describe_claude_path(f);
    d.files.push_back(std::move(f));
  }
  std::sort(d.files.begin(), d.files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  d.files.erase(std::unique(d.files.begin(), d.files.end(),
                            [](const auto& a, const auto& b) { return a.path == b.path; }),
                d.files.end());
  return d;
}

}  // namespace

IngestStats ingest(store::Store& st, const IngestOptions& opts) {
  auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  const std::int64_t now = opts.now_ms ? opts.now_ms : wall_ms();
  IngestStats stats;
  if (st.read_only()) throw store::StoreError("the store " + st.path() + " is open read-only; cannot ingest");

  std::unordered_map<std::string, FileRecord> records;
  try {
    for (auto& r : opts.only_files.empty() ? store::load_file_records(st.db())
                                           : store::load_file_records(st.db(), opts.only_files))
      records.emplace(r.path, std::move(r));
  } catch (const std::exception& e) {
    throw store::StoreError("cannot read the store " + st.path() + ": " + e.what());
  }

  sources::DiscoveryOptions dopts;
  dopts.claude_dirs = opts.claude_dirs;
  dopts.codex_dirs = opts.codex_dirs;
  // A first scan walks on both cores: later ones share them with whoever reads the store
  // meanwhile (a report's preload), and a walk on two threads then only adds contention
  // (a warm report over 4,160 files: 68-73 ms -> 80 ms).
  dopts.two_threads = opts.only_files.empty() && records.empty();
  sources::Discovery disc =
      opts.only_files.empty() ? sources::discover_session_files(dopts) : discover_only(opts.only_files);
  std::vector<std::string> roots;  // data folders: files below them that vanished are missing
  for (const auto& r : disc.roots)
    if (r.exists) roots.push_back(r.data_dir);
  stats.roots = static_cast<std::int64_t>(roots.size());
  stats.files_seen = static_cast<std::int64_t>(disc.files.size());
  for (const auto& w : disc.warnings) stats.errors.push_back({"", w});

  // The stat pass: only files whose identity moved are read.
  std::vector<Job> jobs;
  std::int64_t bytes_total = 0;
  std::unordered_set<std::string> seen;
  seen.reserve(disc.files.size());
  for (sources::DiscoveredFile& df : disc.files) {
    Found f{std::move(df.path), df.kind, std::move(df.project_dir)};
    seen.insert(f.path);
    // Discovery's stat, taken moments ago, is the identity compared with the cursor.
    Identity id{df.device, df.inode, df.size, df.mtime_ns};
    auto it = records.find(f.path);
    std::optional<FileRecord> rec;
    const bool wants_runs = wants_activity(opts, f.kind);
    if (it != records.end()) {
      const FileRecord& r = it->second;
      if (!r.missing && r.error.empty() && r.dev == id.dev && r.ino == id.ino && r.size == id.size &&
          r.mtime_ns == id.mtime_ns && (!wants_runs || r.runs_offset >= r.cursor.offset))
        continue;
      rec = r;
    }
    const std::int64_t from = !rec ? 0 : wants_runs ? rec->runs_offset : rec->cursor.offset;
    bytes_total += rec && rec->ino == id.ino && id.size >= from ? id.size - from : id.size;
    std::vector<runs::TurnState> turns;
    if (wants_runs && rec && rec->id != 0) {
      try {
        turns = runs::load_turn_state(st.db(), rec->id);
      } catch (const std::exception& e) {
        throw store::StoreError("cannot read the store " + st.path() + ": " + e.what());
      }
    }
    jobs.push_back({std::move(f), id, std::move(rec), std::move(turns), wants_runs});
  }
  stats.files_changed = static_cast<std::int64_t>(jobs.size());

  std::vector<std::int64_t> now_missing;
  for (const auto& [path, r] : records) {
    if (r.missing || seen.count(path)) continue;
    bool under_root = std::any_of(roots.begin(), roots.end(), [&](const std::string& root) {
      return path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/';
    });
    if (under_root) now_missing.push_back(r.id);
  }

  store::ActivityHook activity;
  store::ResetHook reset_hook;
  store::BatchHook before_commit, after_rollback;
  std::optional<runs::ActivityBatch> runs_batch;
  // Filled by the reader threads (slot i for job i), consumed by the writer's hook.
  std::vector<runs::FileActivity> activities(jobs.size());
  if (!jobs.empty()) {
    // Also for usage-only passes: a file re-read from 0 loses its runs, and Codex rollouts
    // are read whole.
    runs_batch.emplace(st.db());
    activity = [&](SQLite::Database&, std::int64_t file_id, const FileUpdate& u) {
      if (!u.activity_read) return;
      runs::FileActivity& a = activities[u.tag];
      if (!u.result.activity.empty()) runs_batch->file(file_id, u.result.activity);
      runs_batch->file(file_id, std::move(a));
      a = {};
    };
    reset_hook = [&](SQLite::Database&, std::int64_t file_id) { runs_batch->reset(file_id); };
    before_commit = [&](SQLite::Database&) { runs_batch->flush(); };
    after_rollback = [&](SQLite::Database&) { runs_batch->discard(); };
  }
  store::Writer writer(st.db(), activity, reset_hook, before_commit, after_rollback);

  // Readers run ahead of the writer by at most kReadAhead files; results are consumed in
  // path order, so batches (and everything derived from them) do not depend on timing.
  std::vector<std::optional<FileUpdate>> results(jobs.size());
  std::mutex mu;
  std::condition_variable cv;
  std::size_t next = 0, consumed = 0;
  bool abort = false;
  auto worker = [&] {
    for (;;) {
      std::size_t i;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return abort || next >= jobs.size() || next < consumed + kReadAhead; });
        if (abort || next >= jobs.size()) return;
        i = next++;
      }
      FileUpdate u;
      try {
        u = run_job(jobs[i], now, &activities[i]);
      } catch (const std::exception& e) {
        u.result.error = e.what();
      }
      u.tag = i;
      {
        std::lock_guard lock(mu);
        results[i] = std::move(u);
      }
      cv.notify_all();
    }
  };
  int nthreads = std::max(1, std::min<int>(opts.threads, static_cast<int>(jobs.size())));
  std::vector<std::thread> threads;
  for (int t = 0; t < nthreads && !jobs.empty(); ++t) threads.emplace_back(worker);
  auto stop_threads = [&] {
    {
      std::lock_guard lock(mu);
      abort = true;
    }
    cv.notify_all();
    for (auto& t : threads)
      if (t.joinable()) t.join();
  };

  IngestProgress prog;
  prog.files_total = static_cast<std::int64_t>(jobs.size());
  prog.bytes_total = bytes_total;
  double last_report = -1;
  auto report = [&](bool final) {
    if (!opts.progress) return;
    double e = elapsed();
    if (!final && e - last_report < 0.1) return;
    last_report = e;
    prog.elapsed_seconds = e;
    prog.bytes_per_second = e > 0 ? static_cast<double>(prog.bytes_done) / e : 0;
    opts.progress(prog);
  };

  std::vector<FileUpdate> batch;
  std::int64_t batch_bytes = 0;
  auto flush = [&] {
    if (batch.empty()) return;
    store::BatchStats b = writer.write(batch);
    stats.files_skipped += b.files_skipped;
    batch.clear();
    batch_bytes = 0;
  };

  try {
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      FileUpdate u;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return results[i].has_value(); });
        u = std::move(*results[i]);
        results[i].reset();
        ++consumed;
      }
      cv.notify_all();
      const auto& res = u.result;
      if (!res.error.empty()) {
        stats.errors.push_back({u.record.path, res.error});
      } else {
        ++stats.files_read;
        if (u.reset) ++stats.files_reset;
        if (u.caught_up && !u.reset) ++stats.files_caught_up;
        stats.bytes_read += res.bytes;
        stats.lines += res.lines;
        stats.usage_lines += u.packed.usage_lines;
        stats.malformed +=
            std::max<std::int64_t>(res.malformed_count, static_cast<std::int64_t>(res.malformed.size()));
        for (const auto& m : res.malformed) {
          if (stats.malformed_examples.size() >= kMaxExamples) break;
          stats.malformed_examples.push_back({u.record.path, m.line_no, m.reason});
        }
      }
      batch_bytes += res.bytes;
      prog.files_done += 1;
      prog.bytes_done += res.bytes;
      batch.push_back(std::move(u));
      if (batch_bytes >= opts.batch_bytes || static_cast<std::int64_t>(batch.size()) >= opts.batch_files)
        flush();
      report(false);
    }
    flush();
    writer.set_missing(now_missing, true);
    stats.files_missing = static_cast<std::int64_t>(now_missing.size());
  } catch (const store::StoreError&) {
    stop_threads();
    throw;
  } catch (const std::exception& e) {
    stop_threads();
    throw store::StoreError("cannot write to the store " + st.path() + ": " + e.what());
  }
  stop_threads();
#ifdef __GLIBC__
  // A large scan's freed buffers stay in glibc's arenas, one per reader thread, and would
  // add to the peak of whatever reads the store next (a cold report: 103-110 -> 76-79 MB on
  // the 1 GiB corpus, for a few ms). Small scans (the window's refreshes) leave little.
  if (stats.bytes_read >= kTrimAfterBytes) malloc_trim(0);
#endif
  stats.files_read -= stats.files_skipped;
  report(true);

  if (opts.count_totals) {
    store::StoreCounts c = store::load_counts(st);
    stats.store_usage_rows = c.usage_rows;
    stats.responses_counted = c.counted_costdeck;
    stats.responses_counted_ccusage = c.counted_ccusage;
    stats.duplicates_dropped = c.usage_rows - c.counted_costdeck;
  }
  stats.seconds = elapsed();
  if (stats.files_changed > 0 || !now_missing.empty()) {
    try {
      SQLite::Database& db = st.db();
      store::detail::Stmt ins(
          db.getHandle(),
          "INSERT INTO scans (started_ms, duration_ms, files_seen, files_changed, files_read, "
          "bytes, lines, usage_lines, malformed, errors) VALUES (?,?,?,?,?,?,?,?,?,?)");
      ins.bind(1, now)
          .bind(2, static_cast<std::int64_t>(stats.seconds * 1000))
          .bind(3, stats.files_seen)
          .bind(4, stats.files_changed)
          .bind(5, stats.files_read)
          .bind(6, stats.bytes_read)
          .bind(7, stats.lines)
          .bind(8, stats.usage_lines)
          .bind(9, stats.malformed)
          .bind(10, static_cast<std::int64_t>(stats.errors.size()));
      ins.run();
    } catch (const std::exception&) {
      // The scan log is diagnostics only; the data is committed already.
    }
  }
  return stats;
}

}  // namespace costdeck
