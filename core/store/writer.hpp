#pragma once
// Writes what the readers found into the store: one transaction per batch of files
// (a usage chunk per file, cursors, malformed lines, the runs hook), so a kill at any moment
// leaves either the whole batch or none of it. Which copy counts is decided on reading
// (usage_copies.hpp), so nothing written is ever rewritten.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/sources/session_file.hpp"
#include "core/store/usage_codec.hpp"

namespace SQLite {
class Database;
}

namespace costdeck::store {

// A row of the files table.
struct FileRecord {
  std::int64_t id = 0;  // 0: not in the store yet
  std::string path;
  sources::FileKind kind = sources::FileKind::ClaudeTranscript;
  std::string project_dir;
  std::uint64_t dev = 0, ino = 0;
  std::int64_t size = 0, mtime_ns = 0;
  sources::FileCursor cursor;
  // How far the file's activity (turns, runs, errors) was read: behind the cursor after
  // passes that read usage only (Claude transcripts), never ahead of it.
  std::int64_t runs_offset = 0, runs_line = 0;
  std::uint64_t head_hash = 0, tail_hash = 0;
  std::int64_t lines = 0, usage_lines = 0, malformed = 0, resets = 0;
  std::int64_t first_seen_ms = 0, last_scan_ms = 0;
  bool missing = false;
  std::string error;
};

std::vector<FileRecord> load_file_records(SQLite::Database& db);
// Only the records of these paths (those that exist), sorted by path: a pass over one or
// two files (the status line) need not load thousands.
std::vector<FileRecord> load_file_records(SQLite::Database& db, const std::vector<std::string>& paths);

// A read's usage copies in the store's form, made on the reader's thread: strings are
// indexes into the file's own table (the writer maps them to names ids), keys are hashed.
struct PackedUsage {
  std::vector<std::string> strings;
  std::vector<detail::StoredCopy> copies;  // file order; model/session/project index `strings`
  std::int64_t usage_lines = 0;            // copies that are not ccusage-only
};
PackedUsage pack_usage(const sources::FileReadResult& result);

// The same, copy by copy, as a reader hands them over (ReadOptions::on_usage), in file order.
class UsagePacker {
 public:
  void reserve(std::size_t copies) { out_.copies.reserve(copies); }
  void add(const UsageEvent& e, sources::CopyKind kind);
  PackedUsage take() { return std::move(out_); }

 private:
  std::int32_t index_of(const std::string& v);
  PackedUsage out_;
};

// One file's read, ready to commit.
struct FileUpdate {
  FileRecord record;                      // new state: identity, cursor, hashes, counters
  std::int64_t observed_offset = 0;       // the stored cursor when the read was planned
  std::int64_t observed_runs_offset = 0;  // ... and the stored runs_offset
  bool observed_in_store = false;         // the file had a row when the read was planned
  bool reset = false;                     // re-read from 0: its old rows go first
  bool activity_read = true;              // false: a usage-only read (runs_offset stays)
  bool caught_up = false;                 // read again from runs_offset for its activity
  sources::FileReadResult result;         // what was read (result.error: nothing was)
  std::size_t tag = 0;                    // the caller's own index, handed back to the hooks
  // Set by the caller (then result.usage / ccusage_only may be dropped); else the writer
  // packs result.usage itself.
  PackedUsage packed;
};

struct BatchStats {
  std::int64_t files_written = 0;
  std::int64_t files_skipped = 0;  // another process had moved the cursor meanwhile
  std::int64_t usage_rows = 0;     // copies written (ccusage-only copies included)
};

// Called inside the transaction for each file written (not skipped), after its row.
using ActivityHook = std::function<void(SQLite::Database&, std::int64_t file_id, const FileUpdate&)>;
// Called inside the transaction when a file is re-read from 0, before its new lines.
using ResetHook = std::function<void(SQLite::Database&, std::int64_t file_id)>;
// Called inside the transaction right before its commit (the runs module writes what it
// gathered over the batch), and after a rollback (it drops that).
using BatchHook = std::function<void(SQLite::Database&)>;

class Writer {
 public:
  static constexpr int kMalformedKept = 5;  // per file; files.malformed counts them all

  // `activity`: called inside the transaction for each file written (the runs module);
  // `reset`: when a file's rows are dropped to re-read it. Either may be empty.
  Writer(SQLite::Database& db, ActivityHook activity, ResetHook reset = {}, BatchHook before_commit = {},
         BatchHook after_rollback = {});
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Commits the batch in one transaction, or throws with nothing committed.
  BatchStats write(std::vector<FileUpdate>& batch);
  // Marks files missing / present again; one transaction.
  void set_missing(const std::vector<std::int64_t>& file_ids, bool missing);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace costdeck::store
