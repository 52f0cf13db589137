#pragma once
// Runs as JSON: the NDJSON line format of `record --stdin` and `import`, the time formats
// writers may use, and the checks every writer applies before anything is written.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/runs/run.hpp"

namespace costdeck::runs {

// A value a writer gave that cannot be stored; the message names the field.
struct RunInputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ISO 8601 (`2025-03-01T10:00:00Z`, fractions, `+02:00` offsets; no zone means UTC),
// `YYYY-MM-DD`, or integer epoch milliseconds. nullopt when it is none of these.
std::optional<std::int64_t> parse_time_ms(std::string_view s);
std::string format_time_ms(std::int64_t ms);  // 2025-03-01T10:00:00.000Z

// Checks a run and completes derivable fields: started from ended - duration (else
// `now_ms`), duration from ended - started, computed cost. Throws RunInputError.
void finish_run(Run& run, std::int64_t now_ms, bool started_given);

// One NDJSON run: keys id, runtime, agent, subagent, tier, issue, project, session,
// git_branch, operation, trigger, title, status, error, started, ended, duration_ms, model,
// tokens_in, tokens_out, cache_read, cache_write, cost, meta (an object). Unknown keys are
// errors (a typo must not drop data silently). Throws RunInputError; does not call finish_run.
// *started_given tells whether "started" was present.
Run run_from_json(std::string_view line, bool* started_given);

std::string run_to_json(const Run& run);

// Validates `text` as a JSON object and returns it compacted. Throws RunInputError.
std::string normalize_metadata(std::string_view text);

// The key of an imported run given without "id": a hash of the line's text and how many
// identical lines came before it in the file, so importing the same file twice adds nothing.
std::string import_key(std::string_view line, int occurrence);

// A fresh random key for a run recorded without one.
std::string new_run_key();

}  // namespace costdeck::runs
