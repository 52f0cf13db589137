// Which copy of a response counts: costdeck's rules and ccusage 20.0.24's, per group.
#include <gtest/gtest.h>

#include <vector>

#include "core/store/dedupe.hpp"

using costdeck::store::dedupe_group;
using costdeck::store::DedupeCopy;

namespace {

DedupeCopy copy(std::uint64_t req, std::int64_t total, bool side = false) {
  DedupeCopy c;
  c.req_key = req;
  c.total = total;
  c.sidechain = side;
  return c;
}

std::vector<bool> costdeck_of(const std::vector<DedupeCopy>& v) {
  std::vector<bool> out;
  for (const auto& c : v) out.push_back(c.counted_costdeck);
  return out;
}
std::vector<bool> ccusage_of(const std::vector<DedupeCopy>& v) {
  std::vector<bool> out;
  for (const auto& c : v) out.push_back(c.counted_ccusage);
  return out;
}
std::vector<bool> daily_of(const std::vector<DedupeCopy>& v) {
  std::vector<bool> out;
  for (const auto& c : v) out.push_back(c.counted_ccusage_daily);
  return out;
}

}  // namespace

// One response streamed as three lines: the copy with the most tokens counts, once.
TEST(StoreDedupe, KeepsLargestCopyOfOneResponse) {
  std::vector<DedupeCopy> v{copy(7, 100), copy(7, 130), copy(7, 120)};
  dedupe_group(v);
  EXPECT_EQ(costdeck_of(v), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(ccusage_of(v), (std::vector<bool>{false, true, false}));
}

// Equal totals: the first copy in (path, offset) order wins.
TEST(StoreDedupe, TieGoesToFirstCopy) {
  std::vector<DedupeCopy> v{copy(7, 100), copy(7, 100)};
  dedupe_group(v);
  EXPECT_EQ(costdeck_of(v), (std::vector<bool>{true, false}));
  EXPECT_EQ(ccusage_of(v), (std::vector<bool>{true, false}));
}

// A sidechain replay (/btw) with a new requestId is the same response; the main-thread copy
// counts even when the replay has more tokens.
TEST(StoreDedupe, SidechainReplayIsDuplicate) {
  std::vector<DedupeCopy> v{copy(9, 500, true), copy(7, 100)};
  v[0].ts_ms = 1000;  // the replay was written later than the response
  dedupe_group(v);
  EXPECT_EQ(costdeck_of(v), (std::vector<bool>{false, true}));
  // ccusage 20.0.24: `claude daily` drops the replay; monthly/weekly/session count a replay
  // written at another time again (checked against the binary: tests/fixtures/compat).
  EXPECT_EQ(daily_of(v), (std::vector<bool>{false, true}));
  EXPECT_EQ(ccusage_of(v), (std::vector<bool>{true, true}));
}

// ccusage 20.0.24's monthly/weekly/session match a sidechain copy by message.id only at the
// same timestamp (checked against the binary: a copy 1 ms later counts again).
TEST(StoreDedupe, CcusageMatchesSidechainReplayAtTheSameTimestamp) {
  std::vector<DedupeCopy> v{copy(7, 100), copy(9, 100, true)};
  v[0].ts_ms = v[1].ts_ms = 5000;
  dedupe_group(v);
  EXPECT_EQ(ccusage_of(v), (std::vector<bool>{true, false}));
  EXPECT_EQ(daily_of(v), (std::vector<bool>{true, false}));
  v[1].ts_ms = 5001;
  dedupe_group(v);
  EXPECT_EQ(ccusage_of(v), (std::vector<bool>{true, true}));
  EXPECT_EQ(daily_of(v), (std::vector<bool>{true, false}));
}

// Same message.id, different requestIds, no sidechain: two responses.
TEST(StoreDedupe, DifferentRequestIdsWithoutSidechainAreTwoResponses) {
  std::vector<DedupeCopy> v{copy(7, 100), copy(8, 100)};
  dedupe_group(v);
  EXPECT_EQ(costdeck_of(v), (std::vector<bool>{true, true}));
  EXPECT_EQ(ccusage_of(v), (std::vector<bool>{true, true}));
}

// ccusage drops lines it cannot deserialize before deduping; costdeck keeps them.
TEST(StoreDedupe, CcusageSkipsAreNotAdmittedUnderCcusageRules) {
  std::vector<DedupeCopy> v{copy(7, 200), copy(7, 100)};
  v[0].ccusage_skips = true;
  dedupe_group(v);
  EXPECT_EQ(costdeck_of(v), (std::vector<bool>{true, false}));
  EXPECT_EQ(ccusage_of(v), (std::vector<bool>{false, true}));
}

// Speed present breaks a tie for ccusage only.
TEST(StoreDedupe, SpeedBreaksTieForCcusage) {
  std::vector<DedupeCopy> v{copy(7, 100), copy(7, 100)};
  v[1].speed = true;
  dedupe_group(v);
  EXPECT_EQ(costdeck_of(v), (std::vector<bool>{true, false}));
  EXPECT_EQ(ccusage_of(v), (std::vector<bool>{false, true}));
}

// ccusage's greedy merge: a sidechain copy first, then the main copy replaces it, then a
// later exact copy of the main one is merged by the full loader but starts a new response
// in `claude daily` (which does not re-index replaced responses).
TEST(StoreDedupe, DailyLoaderDoesNotReindexReplacedResponses) {
  std::vector<DedupeCopy> v{copy(9, 100, true), copy(7, 100), copy(7, 150)};
  v[1].ts_ms = 1000;  // written after the sidechain copy, and the third after that
  v[2].ts_ms = 2000;
  dedupe_group(v);
  EXPECT_EQ(costdeck_of(v), (std::vector<bool>{false, false, true}));
  // The full loader never matches the sidechain copy to the main one (see above).
  EXPECT_EQ(ccusage_of(v), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(daily_of(v), (std::vector<bool>{false, true, true}));
}

// Progress copies: only ccusage's daily counts them, deduped with the real copies there.
TEST(StoreDedupe, DailyOnlyCopiesCountOnlyInDaily) {
  std::vector<DedupeCopy> v{copy(7, 300), copy(5, 100)};
  v[0].ccusage_only = v[0].daily_only = true;
  dedupe_group(v);
  EXPECT_EQ(costdeck_of(v), (std::vector<bool>{false, true}));
  EXPECT_EQ(ccusage_of(v), (std::vector<bool>{false, true}));
  EXPECT_EQ(daily_of(v), (std::vector<bool>{true, true}));
}
