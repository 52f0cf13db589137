#pragma once
// The counted usage as reports read it from the store: compact rows with interned strings,
// so aggregating a million responses is a pass over plain structs.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"

namespace costdeck::store {

class Store;

// Which copy of a response counts, and which lines are admitted at all.
enum class DedupeRules : std::uint8_t {
  Costdeck = 0,  // formats.md: every line counts, null fields and odd versions included
  Ccusage = 1,   // ccusage 20.0.24: lines it cannot deserialize are skipped before dedupe
  // ccusage 20.0.24's `claude daily`, whose loader differs from its other reports: it also
  // counts copies embedded in progress lines and merges duplicates slightly differently.
  CcusageDaily = 2,
};

struct UsageRow {
  std::int64_t ts_ms = 0;
  Runtime runtime = Runtime::Claude;
  std::int32_t model = -1;    // index into UsageTable::models ("" when absent)
  std::int32_t session = -1;  // index into UsageTable::sessions (the sessionId field)
  std::int32_t project = -1;  // index into UsageTable::projects (cwd)
  std::int32_t file = -1;     // index into UsageTable::files (path: ccusage's session/project)
  TokenCounts tokens;
  std::int64_t reasoning_tokens = 0;
  std::int64_t web_search_requests = 0;
  std::optional<double> cost_usd;
  bool fast = false;
  bool sidechain = false;  // the kept copy was a sidechain line (no better copy existed)
  std::int64_t web_fetch_requests = 0;
};

struct UsageTable {
  std::vector<std::string> models, sessions, projects, files;
  std::vector<UsageRow> rows;  // sorted by ts_ms
};

struct UsageQuery {
  DedupeRules rules = DedupeRules::Costdeck;
  std::optional<std::int64_t> since_ms, until_ms;  // [since, until)
  std::optional<Runtime> runtime;
  // Read only the chunks with a copy within a day of [since, until): a live view of the last
  // days need not decode years of history. Copies of one response written more than a day
  // apart are then not matched against each other (a full report matches them).
  bool nearby_chunks_only = false;
};

// The counted rows for `q` (one per response under q.rules), sorted by ts_ms; strings are
// interned per table. Reads only; throws StoreError when the store cannot be read.
UsageTable load_usage_table(Store& store, const UsageQuery& q);

namespace detail {
struct LoadedCopies;
}
// The same over copies already read (detail::load_copies), e.g. one load for several rule sets.
UsageTable usage_table_of(const detail::LoadedCopies& all, const UsageQuery& q);
// Adds to `t` (made by usage_table_of from the same copies) the rows of the copies at
// all.time_order[first_new..]: for an append whose copies all come last in time order
// and changed no earlier decision (detail::RefreshDelta says so).
void append_usage_rows(const detail::LoadedCopies& all, const UsageQuery& q, std::size_t first_new,
                       UsageTable& t);

}  // namespace costdeck::store
