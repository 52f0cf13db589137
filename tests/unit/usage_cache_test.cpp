// The worker's usage cache: whatever chunks arrive (later, earlier, larger or smaller copies
// of old responses, new files between old ones, new names), its rows, their order and the
// Sources counts are exactly what a fresh full read gives; removed chunks read everything
// again.
#include "core/store/usage_cache.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/store/queries.hpp"
#include "core/store/usage_copies.hpp"
#include "tests/unit/chunk_store.hpp"
#include "tests/unit/cli_util.hpp"

using namespace costdeck;
using namespace costdeck::store::detail;
using namespace costdeck::testing;

namespace {

// Every field a report reads, strings by value.
std::vector<std::string> described(const store::UsageTable& t) {
  std::vector<std::string> out;
  for (const auto& r : t.rows) {
    std::string s = std::to_string(r.ts_ms) + " " + std::to_string(static_cast<int>(r.runtime)) + " " +
                    t.models[r.model] + "|" + t.sessions[r.session] + "|" + t.projects[r.project] + "|" +
                    t.files[r.file];
    const TokenCounts k = r.tokens;
    for (std::int64_t v : {k.input, k.output, k.cache_write_5m, k.cache_write_1h, k.cache_read,
                           std::int64_t{r.reasoning_tokens}, std::int64_t{r.web_search_requests},
                           std::int64_t{r.web_fetch_requests}})
      s += " " + std::to_string(v);
    s += r.has_recorded_cost ? " $" + std::to_string(r.recorded_cost) : " -";
    s += r.fast ? " fast" : "";
    s += r.sidechain ? " side" : "";
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> fresh_read(ChunkStore& cs) {
  return described(store::usage_table_of(load_copies(cs.db().getHandle()), {}));
}

// The Sources view's counts from the cache equal those of a full read.
void expect_same_counts(ChunkStore& cs, const store::UsageCache& cache) {
  LoadedCopies all = load_copies(cs.db().getHandle());
  store::StoreCounts a, b;
  std::vector<store::FileStat> fa, fb;
  store::load_sources(cs.store, all, &fa, &a);
  store::load_sources(cs.store, cache.tallies(), &fb, &b);
  EXPECT_EQ(a.usage_rows, b.usage_rows);
  EXPECT_EQ(a.counted_costdeck, b.counted_costdeck);
  EXPECT_EQ(a.counted_ccusage, b.counted_ccusage);
  ASSERT_EQ(fa.size(), fb.size());
  for (std::size_t i = 0; i < fa.size(); ++i)
    EXPECT_EQ(fa[i].counted_lines, fb[i].counted_lines) << fa[i].path;
}

}  // namespace

TEST(UsageCache, FirstReadEqualsAFullReadWithAndWithoutTheSavedDecision) {
  ChunkStore cs("cache-load", {"/p/b.jsonl", "/p/a.jsonl"});
  StoredCopy side = sample(9, 300, 77, 80);
  side.flags = kSidechain;
  StoredCopy priced = sample(4, 400, 0, 3);
  priced.flags = kHasCost | kFast;
  priced.cost_usd = 0.25;
  cs.chunk(1, {sample(5, 0, 77, 5), sample(6, 100, 78, 6), sample(6, 200, 0, 1), side, priced});
  cs.chunk(2, {sample(5, 0, 77, 50), sample(6, 100, 79, 2)});
  const std::vector<std::string> expected = fresh_read(cs);  // load_copies' own decision
  cs.db().exec("DELETE FROM usage_view");
  store::UsageCache decided;
  store::UsageCacheDelta d;
  ASSERT_TRUE(decided.refresh(cs.db().getHandle(), &d));
  EXPECT_TRUE(d.reloaded);
  EXPECT_EQ(described(decided.table()), expected);
  EXPECT_EQ(outputs(decided.table()), (std::vector<std::int64_t>{3, 50, 2, 6, 1}));
  expect_same_counts(cs, decided);

  // The decision was saved: a second cache (and a full read) start from it.
  ASSERT_EQ(cs.db().execAndGet("SELECT count(*) FROM usage_view").getInt(), 1);
  store::UsageCache from_view;
  ASSERT_TRUE(from_view.refresh(cs.db().getHandle()));
  EXPECT_EQ(described(from_view.table()), expected);
  LoadedCopies all = load_copies(cs.db().getHandle());
  EXPECT_TRUE(all.from_view);
  EXPECT_EQ(described(store::usage_table_of(all, {})), expected);
  EXPECT_FALSE(from_view.refresh(cs.db().getHandle()));  // nothing new
}

TEST(UsageCache, AppendsPatchTheRowsAsAFullReadWouldOrderThem) {
  ChunkStore cs("cache-append", {"/p/b.jsonl", "/p/a.jsonl"});
  cs.chunk(1, {sample(10, 0, 1, 5), sample(20, 100, 2, 6), sample(30, 200, 3, 7)});
  store::UsageCache cache;
  store::UsageCacheDelta d;
  ASSERT_TRUE(cache.refresh(cs.db().getHandle(), &d));

  // Later responses: added at the end, nothing before them moved.
  cs.chunk(1, {sample(40, 300, 4, 8), sample(50, 400, 0, 9)});
  ASSERT_TRUE(cache.refresh(cs.db().getHandle(), &d));
  EXPECT_FALSE(d.reloaded);
  EXPECT_EQ(d.first_changed_row, 3u);
  EXPECT_EQ(described(cache.table()), fresh_read(cs));

  // A larger copy of response 2 in another file: its old row goes, the new one takes its place.
  cs.chunk(2, {sample(20, 0, 2, 60)});
  ASSERT_TRUE(cache.refresh(cs.db().getHandle(), &d));
  EXPECT_EQ(d.first_changed_row, 1u);
  EXPECT_EQ(outputs(cache.table()), (std::vector<std::int64_t>{5, 60, 7, 8, 9}));
  EXPECT_EQ(described(cache.table()), fresh_read(cs));
  EXPECT_EQ(cache.table().files[cache.table().rows[1].file], "/p/a.jsonl");

  // A smaller copy loses: no row changes, but it is one more copy read.
  cs.chunk(1, {sample(30, 500, 3, 1)});
  ASSERT_TRUE(cache.refresh(cs.db().getHandle(), &d));
  EXPECT_EQ(d.first_changed_row, cache.table().rows.size());
  EXPECT_EQ(described(cache.table()), fresh_read(cs));
  expect_same_counts(cs, cache);

  // An older response, a new model name, and a new file that sorts between the old ones
  // with a copy at the same time as one in /p/b.jsonl: ties follow path order.
  cs.db().exec("INSERT INTO names (id, value) VALUES (4, 'claude-opus-4-5')");
  cs.db().exec("INSERT INTO files (id, path, kind) VALUES (3, '/p/ab.jsonl', 0)");
  StoredCopy older = sample(15, 600, 5, 11);
  older.model = 4;
  StoredCopy tie = sample(40, 0, 6, 12);
  tie.file_id = 3;
  cs.chunk(1, {older});
  cs.chunk(3, {tie});
  ASSERT_TRUE(cache.refresh(cs.db().getHandle(), &d));
  EXPECT_EQ(d.first_changed_row, 1u);
  EXPECT_EQ(described(cache.table()), fresh_read(cs));
  EXPECT_EQ(outputs(cache.table()), (std::vector<std::int64_t>{5, 11, 60, 7, 12, 8, 9}));
  EXPECT_EQ(cache.table().models[cache.table().rows[1].model], "claude-opus-4-5");
  expect_same_counts(cs, cache);

  // A file read again from the start (its chunks deleted): everything is read again.
  cs.db().exec("DELETE FROM usage_chunks WHERE file_id = 2");
  ASSERT_TRUE(cache.refresh(cs.db().getHandle(), &d));
  EXPECT_TRUE(d.reloaded);
  EXPECT_EQ(described(cache.table()), fresh_read(cs));
  EXPECT_EQ(outputs(cache.table()), (std::vector<std::int64_t>{5, 11, 6, 7, 12, 8, 9}));
}

// Random appends over a few message ids, files and times (sidechains, ccusage-only copies,
// copies without an id): after each, the same rows and counts as a full read.
TEST(UsageCache, RandomAppendsAlwaysEqualAFullRead) {
  ChunkStore cs("cache-random", {"/r/c.jsonl", "/r/a.jsonl", "/r/b.jsonl"});
  std::mt19937 rng(7);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::int64_t offset[4] = {0, 0, 0, 0};
  auto chunk = [&](int size) {
    const int file = 1 + pick(3);
    std::vector<StoredCopy> copies;
    for (int k = 0; k < size; ++k) {
      StoredCopy c = sample(1000 + pick(40), offset[file] += 100, pick(5) == 0 ? 0 : 1 + pick(25), pick(30));
      c.file_id = file;
      if (pick(6) == 0) c.flags |= kSidechain;
      if (pick(9) == 0) c.flags |= kCcusageOnly;
      if (pick(9) == 0) c.flags |= kCcusageSkips;
      if (pick(3) == 0) c.req_key = 1 + static_cast<std::uint64_t>(pick(3));
      copies.push_back(c);
    }
    cs.chunk(file, copies);
  };
  chunk(20);
  store::UsageCache cache;
  ASSERT_TRUE(cache.refresh(cs.db().getHandle()));
  for (int step = 0; step < 60; ++step) {
    chunk(1 + pick(4));
    store::UsageCacheDelta d;
    ASSERT_TRUE(cache.refresh(cs.db().getHandle(), &d));
    EXPECT_FALSE(d.reloaded);
    ASSERT_EQ(described(cache.table()), fresh_read(cs)) << "after step " << step;
  }
  expect_same_counts(cs, cache);
}

// A count no real response has (a damaged line) does not fit a row: it is kept as the
// largest value and counted, never wrapped or dropped silently.
TEST(UsageCache, CountsTooLargeForARowAreClampedAndCounted) {
  ChunkStore cs("cache-clamp", {"/p/a.jsonl"});
  StoredCopy huge = sample(5, 0, 1, 5'000'000'000);
  cs.chunk(1, {huge, sample(6, 100, 2, 7)});
  store::UsageCache cache;
  ASSERT_TRUE(cache.refresh(cs.db().getHandle()));
  ASSERT_EQ(cache.table().rows.size(), 2u);
  EXPECT_EQ(cache.table().rows[0].tokens.output, 4'294'967'295u);
  EXPECT_EQ(cache.table().rows[0].tokens.input, 10u);
  EXPECT_EQ(cache.table().rows[1].tokens.output, 7u);
  EXPECT_EQ(cache.table().clamped_rows, 1);
  EXPECT_EQ(store::usage_table_of(load_copies(cs.db().getHandle()), {}).clamped_rows, 1);
}

// ... and a report says so on stderr, with the count, while its JSON stays well formed.
TEST(UsageCache, ReportSaysWhenACountWasClamped) {
  const auto dir = test::temp_dir("clamp-cli");
  std::filesystem::create_directories(dir / "claude" / "projects" / "-w-app");
  auto line = [](const char* id, const char* output) {
    return std::string(
               R"({"type":"assistant","sessionId":"s1","timestamp":"2025-10-01T10:00:00.000Z","uuid":"u-)") +
           id + R"(","requestId":"r-)" + id + R"(","cwd":"/w/app","message":{"id":"m-)" + id +
           R"(","model":"claude-sonnet-4-5-20250929","role":"assistant","content":[],)"
           R"("usage":{"input_tokens":10,"output_tokens":)" +
           output + "}}}\n";
  };
  std::ofstream(dir / "claude" / "projects" / "-w-app" / "s1.jsonl")
      << line("1", "5000000000") << line("2", "7");
  const std::string common = " --claude-dir '" + (dir / "claude").string() + "' --db '" +
                             (dir / "s.db").string() + "' --timezone UTC --runtime claude";
  auto r = test::run_costdeck("report daily --json" + common + " 2>&1 >/dev/null");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("costdeck: 1 responses carry a token count above 4,294,967,295"), std::string::npos)
      << r.out;
  auto json = test::run_costdeck("report daily --json" + common + " 2>/dev/null");
  EXPECT_EQ(json.status, 0);
  EXPECT_NE(json.out.find("\"outputTokens\": 4294967302"), std::string::npos) << json.out;
  std::filesystem::remove_all(dir);
}
