#include "core/store/dedupe.hpp"

#include <vector>

namespace costdeck::store {

namespace {

void dedupe_costdeck(std::span<DedupeCopy> copies) {
  bool any_sidechain = false;
  for (const auto& c : copies) any_sidechain |= c.sidechain && !c.ccusage_only;
  // Better = not a sidechain, then more tokens; equal keeps the earlier copy.
  auto better = [](const DedupeCopy& a, const DedupeCopy& b) {
    if (a.sidechain != b.sidechain) return !a.sidechain;
    return a.total > b.total;
  };
  // Groups are small (a handful of copies): quadratic is cheaper than hashing.
  // One per response, in order of first appearance. Reused: a load decides ~100k groups.
  thread_local std::vector<std::size_t> best;
  best.clear();
  for (std::size_t i = 0; i < copies.size(); ++i) {
    copies[i].counted_costdeck = false;
    if (copies[i].ccusage_only) continue;
    std::size_t slot = best.size();
    if (any_sidechain) {
      if (best.empty()) best.push_back(i);
      slot = 0;
    } else {
      for (std::size_t s = 0; s < best.size(); ++s)
        if (copies[best[s]].req_key == copies[i].req_key) slot = s;
      if (slot == best.size()) best.push_back(i);
    }
    if (better(copies[i], copies[best[slot]])) best[slot] = i;
  }
  for (std::size_t b : best) copies[b].counted_costdeck = true;
}

// `daily`: the variant of ccusage's `claude daily` loader (see dedupe.hpp).
void dedupe_ccusage(std::span<DedupeCopy> copies, bool daily) {
  auto replaces = [](const DedupeCopy& cand, const DedupeCopy& kept) {
    if (cand.sidechain != kept.sidechain) return kept.sidechain;
    if (cand.total != kept.total) return cand.total > kept.total;
    return cand.speed && !kept.speed;
  };
  struct Slot {
    std::size_t kept;       // copy currently kept
    std::uint64_t created;  // requestId of the copy that created it
  };
  thread_local std::vector<Slot> slots;  // in creation order; reused across groups
  slots.clear();
  for (std::size_t i = 0; i < copies.size(); ++i) {
    (daily ? copies[i].counted_ccusage_daily : copies[i].counted_ccusage) = false;
    const DedupeCopy& c = copies[i];
    if (c.ccusage_skips || (c.daily_only && !daily)) continue;
    std::size_t match = slots.size();
    // The exact lookup finds slots indexed under this requestId whose kept copy still has
    // it; the full merge indexes a slot again when its kept copy is replaced, daily does not.
    for (std::size_t s = 0; s < slots.size() && match == slots.size(); ++s)
      if (copies[slots[s].kept].req_key == c.req_key && (!daily || slots[s].created == c.req_key)) match = s;
    // A sidechain copy matches by message.id alone in the daily loader of 20.0.24; its
    // monthly/weekly/session loader matches it only at the same timestamp, so a /btw
    // replay written later counts again there (docs/accuracy.md section 4).
    if (match == slots.size())
      for (std::size_t s = 0; s < slots.size() && match == slots.size(); ++s)
        if ((c.sidechain || copies[slots[s].kept].sidechain) &&
            (daily || copies[slots[s].kept].ts_ms == c.ts_ms))
          match = s;
    if (match == slots.size()) {
      slots.push_back({i, c.req_key});
    } else if (replaces(c, copies[slots[match].kept])) {
      slots[match].kept = i;
    }
  }
  for (const Slot& s : slots)
    (daily ? copies[s.kept].counted_ccusage_daily : copies[s.kept].counted_ccusage) = true;
}

}  // namespace

void dedupe_group(std::span<DedupeCopy> copies) {
  dedupe_costdeck(copies);
  dedupe_ccusage(copies, false);
  dedupe_ccusage(copies, true);
}

}  // namespace costdeck::store
