#include "core/store/schema.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/runs/run_store.hpp"
#include "core/store/sqlite_util.hpp"
#include "core/store/usage_codec.hpp"

namespace costdeck::store {

namespace {

// Version 2's usage rows (one per copy) become one chunk per file, in file order. The
// counted bits they carried are not kept: they are decided on reading now.
void migrate_usage_rows_to_chunks(sqlite3* db) {
  using namespace detail;
  Stmt q(db,
         "SELECT file_id, offset, alt, ts_ms, line_no, bits, msg_key, req_key, data FROM usage "
         "ORDER BY file_id, offset, alt");
  Stmt ins(db,
           "INSERT INTO usage_chunks (file_id, from_offset, to_offset, copies, min_ts, max_ts, data) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  std::vector<StoredCopy> copies;
  std::int64_t file = -1;
  std::string blob;
  auto flush = [&] {
    if (copies.empty()) return;
    encode_chunk(copies, blob);
    std::int64_t lo = copies.front().ts_ms, hi = lo;
    for (const auto& c : copies) lo = std::min(lo, c.ts_ms), hi = std::max(hi, c.ts_ms);
    ins.bind(1, file).bind(2, std::int64_t{0}).bind(3, copies.back().offset + 1);
    ins.bind(4, static_cast<std::int64_t>(copies.size())).bind(5, lo).bind(6, hi).bind_blob(7, blob);
    ins.run();
    copies.clear();
  };
  while (q.step()) {
    if (q.i64(0) != file) {
      flush();
      file = q.i64(0);
    }
    StoredCopy& c = copies.emplace_back();
    c.file_id = static_cast<std::int32_t>(file);
    c.offset = q.i64(1);
    c.ts_ms = q.i64(3);
    c.line_no = q.i64(4);
    const std::int64_t bits = q.i64(5);  // version 2's layout of usage.bits
    c.flags = static_cast<std::uint16_t>(
        (bits & 0x3) | ((bits & (1 << 2)) ? kSidechain : 0) | ((bits & (1 << 3)) ? kFast : 0) |
        ((bits & (1 << 4)) ? kCcusageSkips : 0) | ((bits & (1 << 7)) ? kCcusageOnly : 0) |
        ((bits & (1 << 8)) ? kDailyOnly : 0));
    c.msg_key = q.is_null(6) ? 0 : static_cast<std::uint64_t>(q.i64(6));
    c.req_key = static_cast<std::uint64_t>(q.i64(7));
    // Version 2's payload: LEB128 model, session, project, input, output, cache_write_5m,
    // cache_write_1h, cache_read, reasoning, web_search, web_fetch, then an optional double.
    std::string_view data = q.blob(8);
    ChunkReader r{reinterpret_cast<const unsigned char*>(data.data()),
                  reinterpret_cast<const unsigned char*>(data.data()) + data.size()};
    read_fields(r, c);
    if (r.end - r.p >= 8) {
      std::uint64_t v = r.u64();
      std::memcpy(&c.cost_usd, &v, 8);
      c.flags |= kHasCost;
    }
  }
  flush();
  exec(db, "DROP TABLE usage");
}

}  // namespace

// To change the schema, APPEND a step at the end of the list below. Never edit or reorder
// a step that has shipped: stores in the wild are at some version and replay only the
// steps after it.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kSteps = {
      {"1: files, names, usage, malformed, scans",
       R"sql(
-- One row per session file ever seen. The cursor (offset, line, parser state) says where
-- the next read starts; (dev, ino, size, mtime_ns) say whether the file changed since;
-- head_hash / tail_hash (xxh64 of the first and of the last <= 4 KiB before the cursor)
-- say whether the bytes already read are still the same bytes (replaced or rewritten file).
-- A file that disappeared keeps its rows (history) and gets missing = 1.
CREATE TABLE files (
  id            INTEGER PRIMARY KEY,
  path          TEXT    NOT NULL UNIQUE,
  kind          INTEGER NOT NULL,             -- sources::FileKind: 0 Claude transcript, 1 Codex rollout
  project_dir   TEXT    NOT NULL DEFAULT '',  -- Claude: folder right below projects/
  dev           INTEGER NOT NULL DEFAULT 0,
  ino           INTEGER NOT NULL DEFAULT 0,
  size          INTEGER NOT NULL DEFAULT 0,   -- at the last stat
  mtime_ns      INTEGER NOT NULL DEFAULT 0,
  cursor_offset INTEGER NOT NULL DEFAULT 0,   -- just past the last complete line read
  cursor_line   INTEGER NOT NULL DEFAULT 0,   -- lines read so far
  cursor_state  BLOB    NOT NULL DEFAULT x'', -- reader state between reads (Codex totals)
  head_hash     INTEGER NOT NULL DEFAULT 0,
  tail_hash     INTEGER NOT NULL DEFAULT 0,
  lines         INTEGER NOT NULL DEFAULT 0,   -- complete lines read, all reads together
  usage_lines   INTEGER NOT NULL DEFAULT 0,   -- usage rows read from it
  malformed     INTEGER NOT NULL DEFAULT 0,   -- malformed lines (only the first few are kept)
  resets        INTEGER NOT NULL DEFAULT 0,   -- times it was re-read from 0 (shrunk/replaced)
  first_seen_ms INTEGER NOT NULL DEFAULT 0,
  last_scan_ms  INTEGER NOT NULL DEFAULT 0,   -- last time it was read
  missing       INTEGER NOT NULL DEFAULT 0,
  error         TEXT    NOT NULL DEFAULT ''   -- why the last read failed ('' when it did not)
);

-- Interned strings (models, session ids, cwd paths): usage rows hold integer ids.
CREATE TABLE names (
  id    INTEGER PRIMARY KEY,
  value TEXT NOT NULL UNIQUE
);

-- One row per copy of an API response read from a session file (a response written on
-- three lines and resumed into another file is four rows). Clustered by time, so a
-- report's range query is one ordered range scan with no lookups. bits:
--   0-1 runtime (0 claude, 1 codex)   2 sidechain   3 fast (usage.speed == "fast")
--   4 ccusage would skip the line     5 counted under costdeck's rules
--   6 counted under ccusage 20.0.24's rules (monthly, weekly, session, blocks)
--   7 a copy only ccusage counts      8 ... and only its `claude daily` (progress copies)
--   9 counted under ccusage 20.0.24's `claude daily` rules
-- alt: 0 for what the reader reports as usage, 1 for a ccusage-only copy read from the
-- same line (so both fit under the primary key).
-- msg_key / req_key: xxh3 of (runtime, message.id) and of requestId; msg_key is NULL for
-- lines without message.id, which never match another line. The two counted bits are
-- maintained by the ingest for every message.id group it touches.
CREATE TABLE usage (
  ts_ms      INTEGER NOT NULL,
  file_id    INTEGER NOT NULL,
  offset     INTEGER NOT NULL,
  alt        INTEGER NOT NULL,
  line_no    INTEGER NOT NULL,
  bits       INTEGER NOT NULL,
  msg_key    INTEGER,
  req_key    INTEGER NOT NULL,
  total      INTEGER NOT NULL,  -- input + output + cache writes + cache reads (dedupe order)
  -- LEB128 varints: model, session, project (names.id), input, output, cache_write_5m,
  -- cache_write_1h, cache_read, reasoning, web_search, web_fetch; then costUSD as an
  -- 8-byte little-endian double when the line had one (core/store/usage_codec.hpp).
  data       BLOB    NOT NULL,
  PRIMARY KEY (ts_ms, file_id, offset, alt)
) WITHOUT ROWID;
CREATE INDEX usage_by_msg ON usage (msg_key) WHERE msg_key IS NOT NULL;
CREATE INDEX usage_by_file ON usage (file_id);

-- The first few malformed lines of each file (files.malformed has the full count).
CREATE TABLE malformed (
  file_id INTEGER NOT NULL,
  line_no INTEGER NOT NULL,
  offset  INTEGER NOT NULL,
  reason  TEXT    NOT NULL,
  PRIMARY KEY (file_id, line_no)
) WITHOUT ROWID;

-- One row per ingest pass, for the Sources view and for diagnosing slow scans.
CREATE TABLE scans (
  id            INTEGER PRIMARY KEY,
  started_ms    INTEGER NOT NULL,
  duration_ms   INTEGER NOT NULL,
  files_seen    INTEGER NOT NULL,
  files_changed INTEGER NOT NULL,
  files_read    INTEGER NOT NULL,
  bytes         INTEGER NOT NULL,
  lines         INTEGER NOT NULL,
  usage_lines   INTEGER NOT NULL,
  malformed     INTEGER NOT NULL,
  errors        INTEGER NOT NULL
);
)sql"},
      // Runs (task runs, session links, error events, open-turn state): owned by core/runs,
      // documented in docs/store.md.
      {"2: runs, session_links, run_errors, run_turn_state", runs::kRunsSchemaV1},
      // Usage copies move from one row each (three B-trees per copy) to one packed chunk
      // per read of a file; which copy counts is decided when reading (usage_copies.hpp).
      {"3: usage_chunks replace usage",
       R"sql(
-- One row per read of a session file that found usage: the copies read, packed
-- (core/store/usage_codec.hpp), in file order. [from_offset, to_offset) is the byte range
-- the read covered. A file re-read from 0 loses its chunks first. min_ts/max_ts bound the
-- copies' timestamps (UTC ms).
CREATE TABLE usage_chunks (
  id          INTEGER PRIMARY KEY,
  file_id     INTEGER NOT NULL,
  from_offset INTEGER NOT NULL,
  to_offset   INTEGER NOT NULL,
  copies      INTEGER NOT NULL,
  min_ts      INTEGER NOT NULL,
  max_ts      INTEGER NOT NULL,
  data        BLOB    NOT NULL
);
CREATE INDEX usage_chunks_by_file ON usage_chunks (file_id);
)sql",
       migrate_usage_rows_to_chunks},
      // What reading decided last time (usage_copies.cpp): a report over an unchanged store
      // skips the dedupe and the sort.
      {"4: usage_view",
       R"sql(
-- At most one row: for the chunks read (max id, count, copies), each copy's counted bits
-- (one byte per copy, in chunk order) and the copies' time order (u32 LE indexes). Only
-- a cache: a row whose key does not match the chunks is ignored and replaced.
CREATE TABLE usage_view (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  max_chunk_id INTEGER NOT NULL,
  chunks       INTEGER NOT NULL,
  copies       INTEGER NOT NULL,
  counted      BLOB    NOT NULL,
  time_order   BLOB    NOT NULL
);
)sql"},
      // Readers that keep runs loaded (the window) fetch only what was written since they
      // looked: written_ms must be indexed, and must move on every update, whoever writes.
      {"5: runs_written index, written_ms kept current",
       R"sql(
CREATE INDEX runs_written ON runs (written_ms);
-- A writer that updates a run without setting written_ms (a script writing the table
-- directly) still marks it written now.
CREATE TRIGGER runs_touch AFTER UPDATE ON runs WHEN NEW.written_ms IS OLD.written_ms
BEGIN
  UPDATE runs SET written_ms = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE id = NEW.id;
END;
)sql"},
      // A pass that reads usage only (a usage report) leaves the activity of Claude
      // transcripts for the next pass that wants it: a second cursor says how far it was read.
      {"6: files.runs_offset, files.runs_line",
       R"sql(
-- How far each file's activity (turns, runs, errors) was read; behind cursor_offset after
-- usage-only passes. Every earlier pass read both.
ALTER TABLE files ADD COLUMN runs_offset INTEGER NOT NULL DEFAULT 0;
ALTER TABLE files ADD COLUMN runs_line   INTEGER NOT NULL DEFAULT 0;
UPDATE files SET runs_offset = cursor_offset, runs_line = cursor_line;
)sql"},
      // Counting the stored copies (a loader sizes its array with it) reads this index, a
      // few pages, instead of every chunk's page.
      {"7: usage_chunks_by_file covers copies",
       R"sql(
DROP INDEX usage_chunks_by_file;
CREATE INDEX usage_chunks_by_file ON usage_chunks (file_id, copies);
)sql"},
      // Append new steps here.
  };
  return kSteps;
}

}  // namespace costdeck::store
