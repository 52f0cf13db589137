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

// 96 bytes: a million of them is most of what the window keeps.
struct UsageRow {
  std::int64_t ts_ms = 0;
  TokenCounts tokens;
  std::int64_t reasoning_tokens = 0;
  double recorded_cost = 0;   // costUSD of the line, when has_recorded_cost
  std::int32_t model = -1;    // index into UsageTable::models ("" when absent)
  std::int32_t session = -1;  // index into UsageTable::sessions (the sessionId field)
  std::int32_t project = -1;  // index into UsageTable::projects (cwd)
  std::int32_t file = -1;     // index into UsageTable::files (path: ccusage's session/project)
  std::int32_t web_search_requests = 0, web_fetch_requests = 0;  // the store keeps them as 32 bits
  Runtime runtime = Runtime::Claude;
  bool fast = false;
  bool sidechain = false;  // the kept copy was a sidechain line (no better copy existed)
  bool has_recorded_cost = false;

  std::optional<double> cost_usd() const {
    return has_recorded_cost ? std::optional<double>(recorded_cost) : std::nullopt;
  }
  void set_cost_usd(double usd) {
    recorded_cost = usd;
    has_recorded_cost = true;
  }
};
static_assert(sizeof(UsageRow) <= 96);

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

}  // namespace costdeck::store
