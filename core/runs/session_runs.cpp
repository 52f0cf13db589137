#include "core/runs/session_runs.hpp"

namespace costdeck::runs {

// Placeholder until turns are derived from session files.
void ingest_session_activity(SQLite::Database&, std::int64_t, const std::vector<sources::ClaudeLine>&) {}

}  // namespace costdeck::runs
