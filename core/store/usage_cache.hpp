#pragma once
// The counted usage as the window's worker keeps it between snapshots. A full read decodes
// every copy (about 130 bytes each, a million of them at scale) to decide which counts;
// this keeps only the rows that count and, per copy with a message.id, its key and decision
// (16 bytes). When chunks are added, the message.id groups they touch are decided again with
// their earlier copies read back from those copies' chunks, and the rows are patched: an
// append costs its chunk and a few old ones, not the history, and memory is the rows.

#include <cstdint>
#include <string>
#include <vector>

#include "core/store/queries.hpp"
#include "core/store/usage_table.hpp"

struct sqlite3;

namespace costdeck::store {

namespace detail {
struct StoredCopy;
}

struct UsageCacheDelta {
  bool reloaded = false;              // everything was read again
  std::size_t first_changed_row = 0;  // rows before this index are as they were
};

class UsageCache {
 public:
  // The first call reads everything (the saved decision, usage_view, when it matches the
  // chunks; else decided now and saved). Later calls read the chunks added since; removed
  // chunks or a renamed file read everything again. False when nothing changed. Throws
  // std::runtime_error (detail::SqlError) when the store cannot be read.
  bool refresh(sqlite3* db, UsageCacheDelta* delta = nullptr);

  // Costdeck's rules, every runtime, all time, sorted as load_usage_table sorts.
  const UsageTable& table() const { return table_; }
  const CopyTallies& tallies() const { return tallies_; }
  std::int64_t unreadable_chunks() const { return unreadable_; }

 private:
  // 12 bytes, one per copy with a message.id.
#pragma pack(push, 4)
  struct Keyed {
    std::uint64_t key;          // msg_key
    std::uint32_t seq : 29;     // the copy's place in chunk order (kMaxCopies)
    std::uint32_t counted : 3;  // detail::kCounted* bits
  };
#pragma pack(pop)
  static constexpr std::uint32_t kMaxCopies = 1u << 29;
  struct ChunkStart {
    std::uint32_t first_seq;
    std::int64_t id;
  };
  static bool by_key_seq(const Keyed& a, const Keyed& b);
  struct Strings;  // what the row strings are looked up in (all names, or one at a time)

  void load(sqlite3* db);
  void decide(sqlite3* db, std::vector<std::uint8_t>& counted, std::vector<std::uint32_t>& order);
  bool patch(sqlite3* db, UsageCacheDelta& d);
  std::int32_t intern(int kind, std::int32_t id, const Strings& s);  // kind: model, session, project
  UsageRow make_row(const detail::StoredCopy& c, const Strings& s);
  std::uint64_t row_tie(std::size_t row) const;
  std::uint32_t rank_of(std::int32_t file_id) const;

  UsageTable table_;
  std::vector<std::uint32_t> row_seq_;          // per row: its copy's seq (ties in time order)
  std::vector<std::int32_t> table_file_id_;     // per table_.files entry: files.id
  std::vector<std::int32_t> name_ix_[3];        // names.id -> index in models, sessions, projects
  std::vector<std::int32_t> file_ix_;           // files.id -> index in table_.files
  std::int32_t missing_[4] = {-1, -1, -1, -1};  // the "" entry for an id not found, per kind and files
  std::vector<std::string> paths_;              // by files.id
  std::vector<std::uint32_t> rank_;             // by files.id: place in path order
  std::vector<Keyed> keyed_;                    // sorted by (key, seq)
  std::vector<ChunkStart> chunks_;              // in id order
  std::uint32_t copies_ = 0;
  std::int64_t max_chunk_id_ = 0, chunk_count_ = 0;
  std::int64_t unreadable_ = 0;
  CopyTallies tallies_;
  bool loaded_ = false;
};

}  // namespace costdeck::store
