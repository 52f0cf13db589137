#pragma once
// The counted usage as reports read it from the store: compact rows with interned strings,
// so aggregating a million responses is a pass over plain structs.

#include <algorithm>
#include <climits>
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

// One response's token counts in 32 bits each: a response has at most a few million
// tokens, and a million rows are most of what the window keeps. A count that does not fit
// (no real response has one) is stored as the largest value and counted in
// UsageTable::clamped_rows, which the reports and the Sources view show.
// A count in 32 bits; one that does not fit becomes the nearest value and clears `fits`.
inline std::uint32_t narrow_count(std::int64_t v, bool& fits) {
  if (v >= 0 && v <= std::int64_t{UINT32_MAX}) return static_cast<std::uint32_t>(v);
  fits = false;
  return v < 0 ? 0u : UINT32_MAX;
}

// What the reports and the Sources view say about UsageTable::clamped_rows.
inline std::string clamped_rows_message(std::int64_t rows) {
  return std::to_string(rows) +
         " responses carry a token count above 4,294,967,295 (no real response does; a damaged line?): "
         "counted as 4,294,967,295";
}

struct RowTokens {
  std::uint32_t input = 0, output = 0, cache_write_5m = 0, cache_write_1h = 0, cache_read = 0;

  operator TokenCounts() const {  // NOLINT: used wherever TokenCounts is
    return {input, output, cache_write_5m, cache_write_1h, cache_read};
  }
  std::int64_t cache_write() const { return std::int64_t{cache_write_5m} + cache_write_1h; }
  std::int64_t total() const { return std::int64_t{input} + output + cache_write() + cache_read; }
  std::int64_t prompt() const { return std::int64_t{input} + cache_write() + cache_read; }
  bool operator==(const RowTokens&) const = default;
  // False when a count did not fit.
  bool assign(const TokenCounts& t) {
    bool fits = true;
    input = narrow_count(t.input, fits);
    output = narrow_count(t.output, fits);
    cache_write_5m = narrow_count(t.cache_write_5m, fits);
    cache_write_1h = narrow_count(t.cache_write_1h, fits);
    cache_read = narrow_count(t.cache_read, fits);
    return fits;
  }
};

// 72 bytes.
struct UsageRow {
  std::int64_t ts_ms = 0;
  double recorded_cost = 0;  // costUSD of the line, when has_recorded_cost
  RowTokens tokens;
  std::uint32_t reasoning_tokens = 0;  // part of output (clamped like tokens)
  std::int32_t model = -1;             // index into UsageTable::models ("" when absent)
  std::int32_t session = -1;           // index into UsageTable::sessions (the sessionId field)
  std::int32_t project = -1;           // index into UsageTable::projects (cwd)
  std::int32_t file = -1;              // index into UsageTable::files (path: ccusage's session/project)
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
static_assert(sizeof(UsageRow) <= 72);

struct UsageTable {
  std::vector<std::string> models, sessions, projects, files;
  std::vector<UsageRow> rows;     // sorted by ts_ms
  std::int64_t clamped_rows = 0;  // rows whose counts did not fit RowTokens (see there)
};

// The index of the first row at or after `ts` (rows are in time order).
inline std::size_t first_row_at(const UsageTable& t, std::int64_t ts) {
  return static_cast<std::size_t>(
      std::lower_bound(t.rows.begin(), t.rows.end(), ts,
                       [](const UsageRow& r, std::int64_t v) { return r.ts_ms < v; }) -
      t.rows.begin());
}

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
