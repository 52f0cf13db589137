#pragma once
// A task run: one execution, activity or operation of an agent, as the runs table keeps it.
// Free of SQLite and JSON so the app's snapshot and the panels can hold these directly.

#include <cstdint>
#include <optional>
#include <string>

#include "core/model.hpp"

namespace costdeck {
struct ModelPrice;
}

namespace costdeck::runs {

enum class RunStatus : std::uint8_t { Success = 0, Error = 1, Aborted = 2, Running = 3, Pending = 4 };
enum class RunSource : std::uint8_t { Recorded = 0, SessionFile = 1, Import = 2 };

const char* status_name(RunStatus s);  // success / error / aborted / running / pending
std::optional<RunStatus> status_from_name(const std::string& s);
const char* source_name(RunSource s);  // recorded / session-file / import
std::optional<RunSource> source_from_name(const std::string& s);

// "claude" and "claude-code" are one runtime; the store spells it claude-code.
std::string normalize_runtime(const std::string& s);

// A run as written. Empty strings are stored as NULL.
struct Run {
  std::string key;  // unique; re-writing the same key updates the row instead of adding one
  RunSource source = RunSource::Recorded;
  std::int64_t started_ms = 0;
  std::optional<std::int64_t> ended_ms;
  std::optional<std::int64_t> duration_ms;
  std::string runtime = "claude-code";
  std::string agent;  // agent name or type
  bool subagent = false;
  std::string tier, issue, project, session_id, git_branch;
  std::string operation;  // iteration, tool call, verification, agent execution, task, turn, ...
  std::string trigger;    // manual, cron, autonomous, webhook
  std::string title;
  RunStatus status = RunStatus::Success;
  std::string error;
  std::string model;
  TokenCounts tokens;  // cache writes are kept in cache_write_5m (the table has one column)
  std::optional<double> cost_usd;
  bool cost_computed = false;  // cost_usd came from tokens x price table, not from the writer
  std::string metadata;        // JSON object text, or empty
  std::int64_t file_id = 0;    // session-file runs: the store's files.id that owns the turn
};

// Fills cost_usd from tokens and the price table when the writer gave none. Leaves it
// empty when the model is unknown (reported as unpriced, never as $0).
void fill_computed_cost(Run& run);
// The price fill_computed_cost uses for `model` (nullptr: unknown), for callers that memoize it.
const ModelPrice* run_price(const std::string& model);

// Duration from the fields given: duration_ms, else ended - started.
std::optional<std::int64_t> effective_duration(const Run& run);

}  // namespace costdeck::runs
