#pragma once
// The runs of one filter, kept loaded between data changes by a long-lived reader (the
// window's worker). A recorded run or a turn's update costs the rows written since the last
// look (runs.written_ms, indexed), not a reload of the range; anything a patch cannot
// follow (a deleted run, new session-file errors, a changed link or config) reloads.

#include <cstdint>
#include <vector>

#include "core/config.hpp"
#include "core/runs/run_table.hpp"

namespace SQLite {
class Database;
}

namespace costdeck::runs {

class RunCache {
 public:
  // The runs for `f`, current as of this call. `config_generation` changes whenever the
  // config does (attribution depends on it).
  const RunTable& get(SQLite::Database& db, const Config& config, std::uint64_t config_generation,
                      const RunFilter& f);

  // What the last get() did, for tests and timings.
  enum class Last : std::uint8_t { Loaded, Unchanged, Patched };
  Last last() const { return last_; }
  // Counts loads and patches: two get() calls with the same count returned the same table.
  std::uint64_t changes() const { return changes_; }
  // What the rows the last patch replaced or added (old and new versions) carry, so a
  // report that reads only other rows can keep its last result.
  struct Touched {
    bool issue = false;      // a row attributed to an issue
    bool run_error = false;  // a run in error (the errors report lists recorded ones)
  };
  Touched touched() const { return touched_; }

  // Another writer's clock (or ours, within a millisecond) may stamp a row slightly before
  // the newest stamp already seen: rows this close to it are fetched again.
  static constexpr std::int64_t kSlackMs = 2'000;

  struct Fingerprint {
    std::int64_t max_written = 0;
    std::int64_t in_range = 0;                   // runs whose start is in the filter's time range
    double id_sum = 0;                           // ... and the sum of their ids (a delete shows here)
    std::int64_t errors = 0, errors_max_id = 0;  // session-file errors in range
    std::uint64_t links = 0;                     // hash of session_links
    bool operator==(const Fingerprint&) const = default;
  };

 private:
  void load(SQLite::Database& db, const Config& config, const RunFilter& f);
  bool patch(SQLite::Database& db, const Config& config, const Fingerprint& now);

  bool valid_ = false;
  std::uint64_t generation_ = 0;
  RunFilter filter_;
  Fingerprint fp_;
  RunTable table_;
  std::vector<std::int64_t> range_ids_;  // sorted: every run starting in the range, filters aside
  std::size_t patched_text_ = 0;         // text bytes added by patches since the last compaction
  Last last_ = Last::Loaded;
  std::uint64_t changes_ = 0;
  Touched touched_;
};

}  // namespace costdeck::runs
