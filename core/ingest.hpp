#pragma once
// One pass of the incremental ingest: find the session files, stat them against their
// cursors, read what changed (appended bytes; whole files that shrank or were replaced) on
// two threads, and commit it batch by batch. Safe to kill at any moment: each batch is one
// transaction and the next pass starts from what was committed.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace costdeck {

namespace store {
class Store;
}

struct IngestProgress {
  std::int64_t files_done = 0, files_total = 0;  // files to read in this pass
  std::int64_t bytes_done = 0, bytes_total = 0;
  double bytes_per_second = 0;
  double elapsed_seconds = 0;
};

struct IngestOptions {
  // Roots as given by --claude-dir / --codex-dir; empty: the defaults (CLAUDE_CONFIG_DIR or
  // $XDG_CONFIG_HOME/claude and ~/.claude; CODEX_HOME or ~/.codex).
  std::vector<std::string> claude_dirs, codex_dirs;
  // Hand activity lines (turns, runs, errors) to the runs module. false: Claude transcripts
  // are read for usage only (the usage reports' ~2x cheaper pass); their activity waits for
  // the next pass with true, which reads it from each file's runs cursor. Codex rollouts are
  // always read whole.
  bool keep_activity = true;
  int threads = 2;
  std::int64_t batch_bytes = std::int64_t{128} << 20;  // commit after about this many bytes read
  std::int64_t batch_files = 5000;                     // ... or this many files
  // Called on the calling thread, at most every ~100 ms and once at the end.
  std::function<void(const IngestProgress&)> progress;
  // Fill the store_* and responses_* totals (a pass over the usage table: the CLI wants
  // them, a report's warm path does not).
  bool count_totals = false;
  // Time source for files.last_scan_ms (tests pin it); 0: the clock.
  std::int64_t now_ms = 0;
  // Non-empty: only these session files (paths as discovery spells them, e.g. the status
  // line hook's transcript_path), with no walk over the roots and nothing marked missing.
  // A path with a /projects/ folder is a Claude transcript, one with /sessions/ a Codex
  // rollout; anything else is ignored.
  std::vector<std::string> only_files;
};

struct MalformedExample {
  std::string path;
  std::int64_t line_no = 0;
  std::string reason;
};

struct FileError {
  std::string path;
  std::string message;
};

struct IngestStats {
  std::int64_t roots = 0;
  std::int64_t files_seen = 0;     // session files found
  std::int64_t files_changed = 0;  // new, grown, shrunk or replaced since the last pass
  std::int64_t files_read = 0;     // read and committed
  std::int64_t files_reset = 0;    // re-read from 0 (shrank or replaced)
  std::int64_t files_caught_up = 0;  // read again for the activity a usage-only pass left
  std::int64_t files_missing = 0;  // in the store, gone from disk (rows kept)
  std::int64_t files_skipped = 0;  // another process committed them first
  std::int64_t bytes_read = 0;
  std::int64_t lines = 0;                            // complete lines read in this pass
  std::int64_t usage_lines = 0;                      // usage copies read in this pass
  std::int64_t malformed = 0;                        // malformed lines read in this pass
  std::vector<MalformedExample> malformed_examples;  // first few, file:line
  std::vector<FileError> errors;                     // unreadable files
  // The whole store after the pass, under costdeck's rules.
  std::int64_t store_usage_rows = 0;
  std::int64_t responses_counted = 0;
  std::int64_t duplicates_dropped = 0;
  std::int64_t responses_counted_ccusage = 0;
  double seconds = 0;
};

// Throws store::StoreError when the store cannot be written; a file that cannot be read is
// an entry in stats.errors, never an exception.
IngestStats ingest(store::Store& store, const IngestOptions& opts);

}  // namespace costdeck
