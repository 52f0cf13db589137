#pragma once
// Which copy of an API response counts. Copies can only match when they share a
// message.id, so the decision is made per message.id group; a group's result depends only
// on the copies in it and their (file path, offset) order, never on the order in which
// files were ingested.
//
// costdeck's rules (formats.md): copies match on (message.id, requestId), and a sidechain
// copy matches every copy of its message.id; matching is transitive, so a group with a
// sidechain copy is one response, else there is one response per requestId. Each response
// keeps the non-sidechain copy, then the one with the most tokens, then the first in
// (path, offset) order. Every line is admitted.
//
// ccusage 20.0.24's rules: lines it cannot deserialize are dropped first; the rest are
// replayed through its greedy first-match merge (push_deduped_entry) in (path, offset)
// order: exact (message.id, requestId) match first, else the first earlier response whose
// kept copy or candidate is a sidechain; a match is replaced when the candidate is not a
// sidechain and the kept one is, then by more tokens, then by `speed` being present.
//
// ccusage 20.0.24's `claude daily` loads differently: it also admits the copies embedded
// in progress lines (ccusage_only + daily_only copies), and its merge does not re-index a
// response whose kept copy was replaced, so a later exact copy of the replacement can start
// a new response. (Its extra tie-break on cost, for equal token totals, is not reproduced:
// cost is not known at ingest time.)

#include <cstdint>
#include <span>

namespace costdeck::store {

struct DedupeCopy {
  // Inputs.
  std::uint64_t req_key = 0;  // hash of requestId, 0 when absent
  std::int64_t total = 0;     // input + output + cache writes + cache reads
  std::int64_t ts_ms = 0;     // the line's timestamp (ccusage's non-daily sidechain match)
  bool sidechain = false;
  bool speed = false;          // usage.speed present (tie-break of ccusage)
  bool ccusage_skips = false;  // ccusage drops the line before deduping
  bool ccusage_only = false;   // only ccusage counts it (never admitted under costdeck's rules)
  bool daily_only = false;     // only ccusage's `daily` counts it (progress copies)
  // Outputs.
  bool counted_costdeck = false;
  bool counted_ccusage = false;
  bool counted_ccusage_daily = false;
};

// `copies`: every copy of one message.id (one runtime), sorted by (file path, offset).
void dedupe_group(std::span<DedupeCopy> copies);

}  // namespace costdeck::store
