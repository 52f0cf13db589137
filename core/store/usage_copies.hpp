#pragma once
// Every stored usage copy, decoded, with the copy that counts under each rule set marked.
// The decision is made here, when the copies are read, not when they are written: a chunk
// is never rewritten after its commit, and the outcome cannot depend on the order in which
// files were ingested (each message.id group is decided from its copies in (file path,
// offset) order, see dedupe.hpp). Private to core/store.

#include <climits>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/usage_codec.hpp"
#include "core/store/usage_table.hpp"

struct sqlite3;

namespace costdeck::store {
struct CopyTallies;
}

namespace costdeck::store::detail {

struct LoadedCopies {
  std::vector<StoredCopy> copies;   // chunk order; `counted` filled
  std::vector<std::string> names;   // by names.id
  std::vector<std::string> paths;   // by files.id
  std::vector<std::uint32_t> rank;  // by files.id: place of the path in path order
  std::int64_t unreadable_chunks = 0;
  std::int64_t max_chunk_id = 0, chunks = 0;  // what has been read, for refresh_copies
  // Every copy's index in time order (ties: path order, then offset); empty until
  // compute_time_order (load_copies fills it).
  std::vector<std::uint32_t> time_order;
  bool from_view = false;  // counted and time_order came from usage_view (tests)
  // (msg_key, index) of every copy with a key, sorted: built by the second incremental
  // refresh (a holder that refreshes again), so a later append re-decides only the groups
  // it touches; the first finds its groups' members in one pass instead.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
  int refreshes = 0;  // incremental refreshes so far
};

// What a refresh changed.
struct RefreshDelta {
  bool reloaded = false;             // everything was read again
  std::size_t first_new = 0;         // copies[first_new..] are new
  bool appended_at_end = false;      // ... and all of them come after the old ones in time order
  bool old_counted_changed = false;  // an old copy stopped or started counting
};

void compute_time_order(LoadedCopies& all);
// decide_counted and compute_time_order for every copy of `all`.
void decide_and_order(LoadedCopies& all);

// Reads every chunk (one pass) and decides which copies count. With a range, only the
// chunks whose copies' times reach into [since_ms, until_ms). Reading everything reuses
// (and, on a writable connection, saves) the usage_view decision of an unchanged store.
// `save`: false leaves the saving to the caller (save_view).
LoadedCopies load_copies(sqlite3* db, std::int64_t since_ms = INT64_MIN, std::int64_t until_ms = INT64_MAX,
                         bool save = true);

// Brings `all` up to date: when chunks were only added since it was read, reads just those
// and decides again only the message.id groups they touch (a live append costs the new
// chunk, not the history); else reads everything again. False when nothing changed.
bool refresh_copies(sqlite3* db, LoadedCopies& all, RefreshDelta* delta = nullptr, bool save = true);

// Saves what `all` decided (every chunk read) as usage_view, for the next reader. Never
// waits for a busy lock; does nothing on a read-only connection.
void save_view(sqlite3* db, const LoadedCopies& all);
// What save_view writes, taken from `all` (so it can be written later, on another thread).
struct ViewToSave {
  std::int64_t max_chunk_id = 0, chunks = 0;
  std::string counted;
  std::vector<std::uint32_t> time_order;
};
ViewToSave view_to_save(const LoadedCopies& all);
void save_view(sqlite3* db, const ViewToSave& view);

// The saved decision (usage_view), when it was made for exactly `chunks` chunks up to
// max_chunk_id holding `copies` copies; false when there is none, it is for other chunks,
// or it is damaged.
bool read_decision(sqlite3* db, std::int64_t max_chunk_id, std::int64_t chunks, std::size_t copies,
                   std::vector<std::uint8_t>& counted, std::vector<std::uint32_t>& time_order);

// Saves a decision (counted per copy in chunk order, and the time order) made over exactly
// the chunks up to max_chunk_id (`chunks` of them) as usage_view. Same rules as save_view.
void save_decision(sqlite3* db, std::int64_t max_chunk_id, std::int64_t chunks, std::string_view counted,
                   const std::vector<std::uint32_t>& time_order);

// The place of each path (by files.id) in path order: copies are ordered across files by it.
std::vector<std::uint32_t> path_ranks(const std::vector<std::string>& paths);

// What `counted` is for a copy that is alone in its message.id group (or has none).
std::uint8_t counted_alone(std::uint16_t flags);

// (id, text) rows of `sql` as a vector indexed by id.
std::vector<std::string> read_id_strings(sqlite3* db, const char* sql);

// Adds (sign +1) or takes back (-1) a copy decided `counted` in the Sources view's counts.
void tally_copy(CopyTallies& t, const StoredCopy& c, std::uint8_t counted, std::int64_t sign);

// The report row of a copy; its strings are the caller's indexes. Adds 1 to `clamped` when
// its counts do not fit UsageRow's.
UsageRow row_of_copy(const StoredCopy& c, std::int32_t file, std::int32_t model, std::int32_t session,
                     std::int32_t project, std::int64_t& clamped);

// Fills StoredCopy::counted for every copy. `rank` as path_ranks gives it.
void decide_counted(std::vector<StoredCopy>& copies, const std::vector<std::uint32_t>& rank);

}  // namespace costdeck::store::detail
