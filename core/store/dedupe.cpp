#include "core/store/dedupe.hpp"

#include <vector>

namespace costdeck::store {

namespace {

void dedupe_costdeck(std::span<DedupeCopy> copies) {
  bool any_sidechain = false;
  for (const auto& c : copies) any_sidechain |= c.sidechain;
  // Better = not a sidechain, then more tokens; equal keeps the earlier copy.
  auto better = [](const DedupeCopy& a, const DedupeCopy& b) {
    if (a.sidechain != b.sidechain) return !a.sidechain;
    return a.total > b.total;
  };
  // Groups are small (a handful of copies): quadratic is cheaper than hashing.
  std::vector<std::size_t> best;  // one per response, in order of first appearance
  for (std::size_t i = 0; i < copies.size(); ++i) {
    copies[i].counted_costdeck = false;
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

void dedupe_ccusage(std::span<DedupeCopy> copies) {
  auto replaces = [](const DedupeCopy& cand, const DedupeCopy& kept) {
    if (cand.sidechain != kept.sidechain) return kept.sidechain;
    if (cand.total != kept.total) return cand.total > kept.total;
    return cand.speed && !kept.speed;
  };
  std::vector<std::size_t> slots;  // kept copy per response, in creation order
  for (std::size_t i = 0; i < copies.size(); ++i) {
    copies[i].counted_ccusage = false;
    const DedupeCopy& c = copies[i];
    if (c.ccusage_skips) continue;
    std::size_t match = slots.size();
    // At most one slot holds a given requestId at any time, so "the" exact match.
    for (std::size_t s = 0; s < slots.size() && match == slots.size(); ++s)
      if (copies[slots[s]].req_key == c.req_key) match = s;
    if (match == slots.size())
      for (std::size_t s = 0; s < slots.size() && match == slots.size(); ++s)
        if (c.sidechain || copies[slots[s]].sidechain) match = s;
    if (match == slots.size()) {
      slots.push_back(i);
    } else if (replaces(c, copies[slots[match]])) {
      slots[match] = i;
    }
  }
  for (std::size_t s : slots) copies[s].counted_ccusage = true;
}

}  // namespace

void dedupe_group(std::span<DedupeCopy> copies) {
  dedupe_costdeck(copies);
  dedupe_ccusage(copies);
}

}  // namespace costdeck::store
