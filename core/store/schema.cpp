#include "core/store/schema.hpp"

#include "core/runs/run_store.hpp"

namespace costdeck::store {

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
      // Append new steps here.
  };
  return kSteps;
}

}  // namespace costdeck::store
