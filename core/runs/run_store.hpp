#pragma once
// The runs part of the store: schema (a migration the store applies), writers that upsert
// by a unique key, and the loader the analytics read. Writers take an open
// SQLite::Database and expect the caller's transaction (BEGIN IMMEDIATE).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/runs/run.hpp"
#include "core/runs/run_table.hpp"

namespace SQLite {
class Database;
}

namespace costdeck::runs {

// Version 1 of the runs tables (runs, session_links, run_errors, run_turn_state) and their
// indexes: step 2 of store::migrations(). Idempotent (IF NOT EXISTS).
extern const char* const kRunsSchemaV1;
void ensure_runs_schema(SQLite::Database& db);

// Writers wait this long for the write lock: eight recorders and an ingest may queue.
inline constexpr int kWriterBusyTimeoutMs = 120000;

// Inserts, or updates the row with the same key: given values replace stored ones, absent
// (empty / unset) values keep them, so `running` then `success` under one key is one run.
// Session-file runs only update rows written from the same file (a resumed session's
// copy of a turn never takes it over).
void upsert_runs(SQLite::Database& db, const std::vector<Run>& runs);

struct SessionLink {
  std::string session_id, issue, phase, model;
  std::int64_t started_ms = -1, ended_ms = -1;  // -1: not given
};
void upsert_links(SQLite::Database& db, const std::vector<SessionLink>& links);
void upsert_error_events(SQLite::Database& db, const std::vector<ErrorEvent>& events);

std::int64_t count_runs(SQLite::Database& db);

// Loads runs (and session-file errors) in the filter's range, attributing tier and issue
// by `config` where the writer gave none. Filters on attributed fields apply after that.
RunTable load_runs(SQLite::Database& db, const Config& config, const RunFilter& filter);

// What a load may leave out, for callers that print only aggregates.
struct LoadOptions {
  enum class Texts : std::uint8_t {
    All,        // key, title and error of every run
    ErrorRuns,  // key and error of runs in error only (the errors report); no titles
    None,       // no key, title or error (aggregates; lists fetch theirs by id afterwards)
  };
  Texts texts = Texts::All;
  // The run fields a caller reads; the others are not selected (SQLite's cost per row grows
  // with the columns it extracts) and keep their defaults. Attribution and the filters add
  // what they need: Tier brings the fields the tier rules look at, Issue the session (links)
  // and the git branch.
  enum Field : std::uint32_t {
    Duration = 1u << 0,  // ended_ms and duration_ms
    Runtime = 1u << 1,
    Agent = 1u << 2,
    Subagent = 1u << 3,
    Tier = 1u << 4,   // the attributed tier
    Issue = 1u << 5,  // the attributed issue and the linked phase
    Project = 1u << 6,
    Session = 1u << 7,
    Branch = 1u << 8,
    Operation = 1u << 9,
    Trigger = 1u << 10,
    Status = 1u << 11,
    Model = 1u << 12,
    Tokens = 1u << 13,
    Cost = 1u << 14,  // cost_usd, has_cost, cost_computed
    Source = 1u << 15,
    AllFields = (1u << 16) - 1,
  };
  std::uint32_t fields = AllFields;  // id and started_ms always
  bool error_events = true;          // the session-file errors (run_errors)
  std::vector<std::int64_t> ids;     // not empty: only the runs with these ids (runs.id)
  // A whole table of at least `parallel_min_rows` runs is read in two halves at once, the
  // second on its own read-only connection (not a snapshot shared with `db`'s transaction:
  // for one-shot reports, not for the window's cache).
  bool parallel = false;
  std::size_t parallel_min_rows = 20'000;
};
RunTable load_runs(SQLite::Database& db, const Config& config, const RunFilter& filter,
                   const LoadOptions& options);

}  // namespace costdeck::runs
