#pragma once
// Turns read from session files become runs in the store. The ingest hands each file's new
// activity lines here inside its write transaction, so runs and usage commit together.

#include <cstdint>
#include <vector>

#include "core/sources/claude_line.hpp"

namespace SQLite {
class Database;
}

namespace costdeck::runs {

// Called by the ingest, inside its open transaction, once per file with the lines read
// from that file this time (in file order). `file_id` is the store's files.id.
void ingest_session_activity(SQLite::Database& db, std::int64_t file_id,
                             const std::vector<sources::ClaudeLine>& lines);

}  // namespace costdeck::runs
