#pragma once
// Runs as the analytics read them: loaded once, attributed (tier, issue), strings interned,
// so a report over 100,000 runs is a pass over plain structs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/runs/run.hpp"

namespace costdeck::runs {

// Where a run's text sits in its table's buffer: a hundred thousand runs' keys, titles and
// errors as one allocation instead of three strings each.
struct TextSpan {
  std::uint32_t offset = 0, size = 0;
};

struct RunRow {
  std::int64_t id = 0;  // runs.id
  std::int64_t started_ms = 0;
  std::int64_t ended_ms = -1;     // -1: not known
  std::int64_t duration_ms = -1;  // duration_ms, else ended - started; -1: not known
  // Indexes into RunTable::strings; -1 when absent.
  std::int32_t runtime = -1, agent = -1, tier = -1, issue = -1, project = -1, session = -1, branch = -1,
               operation = -1, trigger = -1, model = -1, phase = -1;
  RunStatus status = RunStatus::Success;
  RunSource source = RunSource::Recorded;
  bool subagent = false;
  bool tier_recorded = false;   // false: the tier came from the config's rules
  bool issue_recorded = false;  // false: linked session or git branch
  bool has_cost = false;        // false: unpriced (unknown model, no recorded cost)
  bool cost_computed = false;
  TokenCounts tokens;
  double cost_usd = 0;
  TextSpan key, title, error;  // into RunTable::text
};

enum class ErrorKind : std::uint8_t {
  ApiError = 0,
  ToolError = 1,
  Interruption = 2,
  Rejection = 3,
  RunError = 4
};
const char* error_kind_name(ErrorKind k);  // api_error / tool_error / interruption / rejection / run_error
std::optional<ErrorKind> error_kind_from_name(const std::string& s);

// One error seen in a session file (a failed tool call, an API error, an interruption) or
// a run that ended in error.
struct ErrorEvent {
  std::string key;  // unique per occurrence (line uuid + block)
  std::int64_t ts_ms = 0;
  std::string runtime = "claude-code";
  std::string session_id, project, run_key;
  ErrorKind kind = ErrorKind::ToolError;
  std::string tool;  // tool name for tool errors
  int status = 0;    // HTTP status for API errors (0: none)
  std::string message;
};

struct RunTable {
  std::vector<std::string> strings;
  std::vector<RunRow> rows;        // sorted by started_ms
  std::vector<ErrorEvent> errors;  // session-file errors in range, sorted by ts_ms
  std::string text;                // the rows' keys, titles and errors
  const std::string& str(std::int32_t i) const {
    static const std::string kEmpty;
    return i < 0 ? kEmpty : strings[static_cast<std::size_t>(i)];
  }
  std::string_view text_of(TextSpan s) const { return std::string_view(text).substr(s.offset, s.size); }
  TextSpan add_text(std::string_view s) {
    if (s.empty()) return {};
    const TextSpan span{static_cast<std::uint32_t>(text.size()), static_cast<std::uint32_t>(s.size())};
    text.append(s);
    return span;
  }
  // Rewrites `text` with only what the rows point at (rows dropped or replaced leave theirs).
  void compact_text();
};

// What a report covers. Time bounds in UTC ms, [since, until).
struct RunFilter {
  std::optional<std::int64_t> since_ms, until_ms;
  std::string runtime;  // empty: all (claude / claude-code / codex / ...)
  std::string project;  // substring of the project path
  std::string model;    // substring of the model id
  std::string tier;     // exact attributed tier
  std::string issue;    // exact attributed issue
  // Only runs written (inserted or updated) at or after this time (runs.written_ms).
  std::optional<std::int64_t> written_since_ms;
  bool operator==(const RunFilter&) const = default;
};

}  // namespace costdeck::runs
