#pragma once
// Turns read from session files become runs in the store. The ingest hands each file's new
// activity lines here inside its write transaction, so runs and usage commit together.
//
// A turn starts at a real prompt (see is_real_prompt) and ends before the next one. A turn
// may span two reads of a file (the agent was still writing): the open turn of each file
// and track is kept in run_turn_state and continued by the next read, and its run row is
// rewritten under the same key (cc:<prompt uuid>) each time. A resumed session that copies
// the prompt into a new file refers to the same key, so the turn counts once.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/runs/run.hpp"
#include "core/runs/run_table.hpp"
#include "core/sources/claude_line.hpp"

namespace SQLite {
class Database;
}

namespace costdeck::runs {

struct SessionRunOptions {
  bool store_prompt_text = true;  // false: titles stay empty, no prompt text is stored
  int title_words = 8;
};

// A user line that starts a turn: not a tool result, not meta, not a compaction summary,
// not an interruption marker, not a local slash-command echo.
bool is_real_prompt(const sources::ClaudeLine& line);

// The title a prompt gives its turn: its first `words` words, whitespace collapsed.
std::string title_from_prompt(const sources::ClaudeLine& line, int words);
// The same for prompt text (a Codex prompt).
std::string title_from_text(std::string_view text, int words);

// What the 3-argument ingest_session_activity uses (the ingest's hook): the app sets it
// from the config file before it ingests.
void set_default_session_run_options(const SessionRunOptions& opts);
const SessionRunOptions& default_session_run_options();

// Called by the ingest, inside its open transaction, once per file with the lines read
// from that file this time (in file order). `file_id` is the store's files.id.
void ingest_session_activity(SQLite::Database& db, std::int64_t file_id,
                             const std::vector<sources::ClaudeLine>& lines);
void ingest_session_activity(SQLite::Database& db, std::int64_t file_id,
                             const std::vector<sources::ClaudeLine>& lines, const SessionRunOptions& opts);

// Forget a file's open turns (the ingest re-reads it from the start).
void reset_session_activity(SQLite::Database& db, std::int64_t file_id);

// The open turn of one track of a file, as saved between reads (run_turn_state).
struct TurnState {
  std::string track, state;
};
std::vector<TurnState> load_turn_state(SQLite::Database& db, std::int64_t file_id);

// What one read of one file yields for the runs tables.
struct FileActivity {
  std::vector<Run> runs;  // file_id 0: the writer knows the file's id
  std::vector<ErrorEvent> errors;
  std::vector<TurnState> open;  // the open turns after this read
  bool fed = false;             // any line was fed (else nothing is written)
};

class PriceMemo;

// The turns of one file's new lines, continued from its saved open turns. Touches no
// database, so the ingest runs one per file on its reader threads.
class TurnTracker {
 public:
  explicit TurnTracker(const std::vector<TurnState>& saved);  // the default options
  TurnTracker(const std::vector<TurnState>& saved, const SessionRunOptions& opts);
  ~TurnTracker();
  TurnTracker(const TurnTracker&) = delete;
  TurnTracker& operator=(const TurnTracker&) = delete;

  void feed(const sources::ClaudeLine& line);  // in file order
  FileActivity finish();                       // once, after the last line

 private:
  class Processor;
  SessionRunOptions opts_;
  std::unique_ptr<PriceMemo> prices_;
  std::unique_ptr<Processor> processor_;
  FileActivity result_;
};

// The ingest's form of the two calls above, for many files in one transaction: statements
// are prepared once, and the runs and error events of all files are written by flush()
// (before the commit), in file order, exactly as per-file calls would write them.
class ActivityBatch {
 public:
  explicit ActivityBatch(SQLite::Database& db);  // the default options
  ActivityBatch(SQLite::Database& db, const SessionRunOptions& opts);
  ~ActivityBatch();
  ActivityBatch(const ActivityBatch&) = delete;
  ActivityBatch& operator=(const ActivityBatch&) = delete;

  void file(std::int64_t file_id, const std::vector<sources::ClaudeLine>& lines);
  // The same for lines a TurnTracker already went through (on another thread).
  void file(std::int64_t file_id, FileActivity&& activity);
  void reset(std::int64_t file_id);
  void flush();    // inside the transaction, before its commit
  void discard();  // the transaction was rolled back

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace costdeck::runs
