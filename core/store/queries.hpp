#pragma once
// What the Sources view and the reports read about the store itself: per-file state,
// the malformed lines kept, and counts.

#include <cstdint>
#include <string>
#include <vector>

namespace costdeck::store {

class Store;

struct FileStat {
  std::int64_t id = 0;
  std::string path;
  std::uint8_t kind = 0;  // sources::FileKind
  std::string project_dir;
  std::int64_t size = 0, cursor_offset = 0;
  std::int64_t lines = 0, usage_lines = 0, counted_lines = 0;  // counted: under costdeck's rules
  std::int64_t malformed = 0, resets = 0;
  std::int64_t last_scan_ms = 0;
  bool missing = false;
  std::string error;  // why the last read failed, else empty
};

struct MalformedRecord {
  std::string path;
  std::int64_t line_no = 0, offset = 0;
  std::string reason;
};

struct StoreCounts {
  std::int64_t files = 0, missing_files = 0, error_files = 0;
  std::int64_t usage_rows = 0;        // every usage copy read (not the ccusage-only copies)
  std::int64_t counted_costdeck = 0;  // responses under costdeck's rules
  std::int64_t counted_ccusage = 0;   // responses under ccusage's rules
  std::int64_t malformed = 0;         // all malformed lines (not only the kept ones)
};

std::vector<FileStat> load_file_stats(Store& store);                                  // sorted by path
std::vector<MalformedRecord> load_malformed(Store& store, std::size_t limit = 1000);  // by path, line
StoreCounts load_counts(Store& store);

// What the Sources view counts over the usage copies: kept up to date by whoever holds the
// copies' decisions (a full read, or the worker's UsageCache).
struct CopyTallies {
  std::vector<std::int64_t> counted_by_file;  // by files.id: copies that count under costdeck's rules
  std::int64_t usage_rows = 0, counted_costdeck = 0, counted_ccusage = 0;  // as in StoreCounts
};

namespace detail {
struct LoadedCopies;
}
// Both over usage copies already read (the worker keeps them between snapshots), in one
// pass; either pointer may be null.
void load_sources(Store& store, const detail::LoadedCopies& copies, std::vector<FileStat>* files,
                  StoreCounts* counts);
void load_sources(Store& store, const CopyTallies& tallies, std::vector<FileStat>* files,
                  StoreCounts* counts);

}  // namespace costdeck::store
