// Usage chunks: the packed encoding round-trips, a damaged chunk is refused (and counted),
// the copy that counts is decided on reading exactly as dedupe_group decides, and a
// version-2 store (one row per copy) migrates without losing or changing a copy.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/store/dedupe.hpp"
#include "core/store/schema.hpp"
#include "core/store/store.hpp"
#include "core/store/usage_codec.hpp"
#include "core/store/usage_copies.hpp"
#include "core/store/usage_preload.hpp"
#include "core/store/usage_table.hpp"
#include "tests/unit/chunk_store.hpp"

namespace fs = std::filesystem;
using namespace costdeck;
using namespace costdeck::store::detail;
using namespace costdeck::testing;

namespace {

bool same(const StoredCopy& a, const StoredCopy& b) {
  return a.ts_ms == b.ts_ms && a.offset == b.offset && a.line_no == b.line_no && a.msg_key == b.msg_key &&
         a.req_key == b.req_key && a.tokens == b.tokens && a.reasoning == b.reasoning &&
         a.file_id == b.file_id && a.model == b.model && a.session == b.session && a.project == b.project &&
         a.web_search == b.web_search && a.web_fetch == b.web_fetch && a.flags == b.flags &&
         (!a.has_cost() || a.cost_usd == b.cost_usd);
}

}  // namespace

// Timestamps may go backwards inside a file (resumed copies), keys and costs may be absent.
TEST(StoreChunks, EncodingRoundTrips) {
  std::vector<StoredCopy> in = {sample(1'760'000'000'000, 0, 0xfeedbeefcafe, 5),
                                sample(1'750'000'000'000, 900, 0, 7), sample(1'760'000'000'500, 1800, 42, 0)};
  in[1].flags = kSidechain | kFast | kCcusageSkips | static_cast<std::uint16_t>(Runtime::Codex);
  in[1].reasoning = 123456789012;
  in[1].web_search = 3;
  in[1].web_fetch = 2;
  in[2].flags = kCcusageOnly | kDailyOnly | kHasCost;
  in[2].cost_usd = 0.0123456789;
  std::string blob;
  encode_chunk(in, blob);
  std::vector<StoredCopy> out;
  ASSERT_TRUE(decode_chunk(blob, 1, out));
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) EXPECT_TRUE(same(in[i], out[i])) << "copy " << i;
  EXPECT_EQ(out[2].cost_usd, 0.0123456789);
  EXPECT_FALSE(out[0].has_cost());
}

// A cut or unknown chunk gives nothing (no half chunk), never a crash.
TEST(StoreChunks, DamagedChunkIsRefusedWhole) {
  std::vector<StoredCopy> in = {sample(1'760'000'000'000, 0, 9, 5), sample(1'760'000'000'100, 500, 10, 6)};
  std::string blob;
  encode_chunk(in, blob);
  std::vector<StoredCopy> out;
  for (std::size_t cut = 1; cut < blob.size(); ++cut) {
    if (decode_chunk(std::string_view(blob).substr(0, cut), 1, out)) {
      // A cut exactly between two copies is a valid, shorter chunk: then only whole copies.
      ASSERT_LE(out.size(), 1u) << "cut at " << cut;
      if (out.size() == 1) {
        EXPECT_TRUE(same(out[0], in[0]));
      }
      EXPECT_EQ(out.empty(), cut == 1);
      out.clear();
    } else {
      EXPECT_TRUE(out.empty()) << "cut at " << cut;
    }
  }
  std::string bad = blob;
  bad[0] = 99;  // a version this program does not know
  EXPECT_FALSE(decode_chunk(bad, 1, out));
  EXPECT_FALSE(decode_chunk("", 1, out));
}

// The only copy of a message.id counts exactly as dedupe_group would count it alone.
TEST(StoreChunks, LoneCopyCountsAsItsOwnGroup) {
  for (std::uint16_t f = 0; f < 64; ++f) {
    const std::uint16_t flags = f & (kSidechain | kFast | kCcusageSkips | kCcusageOnly | kDailyOnly);
    if ((flags & kDailyOnly) && !(flags & kCcusageOnly)) continue;  // daily-only copies are ccusage-only
    std::vector<StoredCopy> one = {sample(1, 0, 77, 5)};
    one[0].flags = flags;
    decide_counted(one, {0, 0});
    store::DedupeCopy d;
    d.req_key = one[0].req_key;
    d.total = one[0].tokens.total();
    d.sidechain = flags & kSidechain;
    d.speed = flags & kFast;
    d.ccusage_skips = flags & kCcusageSkips;
    d.ccusage_only = flags & kCcusageOnly;
    d.daily_only = flags & kDailyOnly;
    std::vector<store::DedupeCopy> g = {d};
    store::dedupe_group(g);
    EXPECT_EQ((one[0].counted & kCountedCostdeck) != 0, g[0].counted_costdeck) << "flags " << flags;
    EXPECT_EQ((one[0].counted & kCountedCcusage) != 0, g[0].counted_ccusage) << "flags " << flags;
    EXPECT_EQ((one[0].counted & kCountedCcusageDaily) != 0, g[0].counted_ccusage_daily) << "flags " << flags;
  }
}

// Copies of one response in two files: the tie (equal tokens) goes to the first in path
// order, not to the file read first (file ids are in reading order).
TEST(StoreChunks, TiesGoToThePathOrderNotTheReadingOrder) {
  std::vector<StoredCopy> copies = {sample(5, 100, 77, 5), sample(5, 0, 77, 5)};
  copies[0].file_id = 1;  // read first, path "b"
  copies[1].file_id = 2;  // read second, path "a"
  std::vector<std::string> paths = {"", "/p/b.jsonl", "/p/a.jsonl"};
  decide_counted(copies, path_ranks(paths));
  EXPECT_FALSE(copies[0].counted & kCountedCostdeck);
  EXPECT_TRUE(copies[1].counted & kCountedCostdeck);
  EXPECT_FALSE(copies[0].counted & kCountedCcusage);
  EXPECT_TRUE(copies[1].counted & kCountedCcusage);
}

// A store of schema version 2 (one usage row per copy, counted bits in the row) opens as
// version 3 with every copy in a chunk and the same counted rows.
TEST(StoreChunks, VersionTwoStoreMigrates) {
  fs::path dir = fs::temp_directory_path() / ("costdeck-chunks-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db_path = (dir / "v2.db").string();
  {
    SQLite::Database db(db_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(std::string(store::migrations()[0].sql));
    db.exec(std::string(store::migrations()[1].sql));
    db.exec("PRAGMA user_version = 2");
    db.exec(
        "INSERT INTO files (id, path, kind) VALUES (1, '/h/.claude/projects/-w/b.jsonl', 0), "
        "(2, '/h/.claude/projects/-w/a.jsonl', 0)");
    db.exec("INSERT INTO names (id, value) VALUES (1, 'claude-sonnet-4-5'), (2, 's1'), (3, '/w')");
    // Version 2's payload: varints model, session, project, input, output, cw5m, cw1h,
    // cache read, reasoning, web search, web fetch [, double cost].
    SQLite::Statement ins(
        db,
        "INSERT INTO usage (ts_ms, file_id, offset, alt, line_no, bits, msg_key, req_key, total, "
        "data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    auto row = [&](std::int64_t ts, int file, std::int64_t off, std::int64_t bits, std::int64_t msg, int out,
                   bool cost) {
      std::string data = {1, 2, 3, 10, static_cast<char>(out), 0, 0, 0, 0, 0, 0};
      if (cost) {
        double d = 0.25;
        data.append(reinterpret_cast<const char*>(&d), 8);
      }
      ins.bind(1, static_cast<std::int64_t>(ts));
      ins.bind(2, file);
      ins.bind(3, static_cast<std::int64_t>(off));
      ins.bind(4, 0);
      ins.bind(5, 1);
      ins.bind(6, static_cast<std::int64_t>(bits));
      if (msg)
        ins.bind(7, static_cast<std::int64_t>(msg));
      else
        ins.bind(7);
      ins.bind(8, 0);
      ins.bind(9, 10 + out);
      ins.bind(10, data.data(), static_cast<int>(data.size()));
      ins.exec();
      ins.reset();
    };
    row(1'760'000'000'000, 1, 0, 0, 55, 20, false);   // copy of m55 in b.jsonl
    row(1'760'000'000'000, 2, 0, 0, 55, 20, false);   // same copy in a.jsonl: a wins the tie
    row(1'760'000'100'000, 1, 400, 4, 56, 30, true);  // sidechain, with costUSD
    row(1'760'000'200'000, 2, 300, 0, 0, 40, false);  // no message.id
  }
  store::Store s = store::Store::open(db_path);
  EXPECT_EQ(s.schema_version(), store::latest_schema_version());
  SQLite::Database& db = s.db();
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'usage'").getInt(), 0);
  EXPECT_EQ(db.execAndGet("SELECT sum(copies) FROM usage_chunks").getInt(), 4);
  store::UsageTable t = store::load_usage_table(s, store::UsageQuery{});
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.files[t.rows[0].file], "/h/.claude/projects/-w/a.jsonl");
  EXPECT_EQ(t.rows[0].tokens.output, 20);
  EXPECT_TRUE(t.rows[1].sidechain);
  ASSERT_TRUE(t.rows[1].has_recorded_cost);
  EXPECT_EQ(t.rows[1].recorded_cost, 0.25);
  EXPECT_EQ(t.rows[2].tokens.output, 40);
  EXPECT_EQ(t.models[t.rows[2].model], "claude-sonnet-4-5");
  EXPECT_EQ(t.sessions[t.rows[2].session], "s1");
  EXPECT_EQ(t.projects[t.rows[2].project], "/w");
  fs::remove_all(dir);
}

// A live view of the last days reads only the chunks that reach into them, and counts what
// a full read counts there.
TEST(StoreChunks, NearbyChunksOnlyReadsTheRange) {
  ChunkStore cs("near", {"/p/old.jsonl", "/p/new.jsonl"});
  const std::int64_t now = 1'760'000'000'000, day = 86'400'000;
  cs.chunk(1, {sample(now - 30 * day, 0, 1, 5), sample(now - 29 * day, 100, 2, 6)});
  cs.chunk(2, {sample(now - 2 * day, 0, 3, 7), sample(now - 3600'000, 100, 4, 8)});
  store::UsageQuery q;
  q.since_ms = now - day;
  store::UsageTable full = store::load_usage_table(cs.store, q);
  q.nearby_chunks_only = true;
  store::UsageTable near = store::load_usage_table(cs.store, q);
  ASSERT_EQ(full.rows.size(), 1u);
  ASSERT_EQ(near.rows.size(), 1u);
  EXPECT_EQ(near.rows[0].tokens, full.rows[0].tokens);
  EXPECT_EQ(near.files, std::vector<std::string>{"/p/new.jsonl"});
  // The month-old chunk is not even decoded.
  EXPECT_EQ(load_copies(cs.db().getHandle(), now - 2 * day, INT64_MAX).copies.size(), 2u);
  EXPECT_EQ(load_copies(cs.db().getHandle()).copies.size(), 4u);
}

// A read of the whole store saves its decision; the next read of the same chunks reuses
// it and gets the same table; a saved decision for other chunks is ignored.
TEST(StoreChunks, SavedDecisionIsReusedOnlyForTheSameChunks) {
  ChunkStore cs("view", {"/p/b.jsonl", "/p/a.jsonl"});
  SQLite::Database& db = cs.db();
  // The same response in both files (a.jsonl wins the tie by path), one more in each.
  cs.chunk(1, {sample(5, 0, 77, 5), sample(3, 100, 78, 6)});
  cs.chunk(2, {sample(5, 0, 77, 5), sample(4, 100, 79, 7)});
  auto rows = [](const store::UsageTable& t) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& r : t.rows) out.emplace_back(t.files[r.file], r.tokens.output);
    return out;
  };
  LoadedCopies first = load_copies(db.getHandle());
  EXPECT_FALSE(first.from_view);
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM usage_view").getInt(), 1);
  LoadedCopies second = load_copies(db.getHandle());
  EXPECT_TRUE(second.from_view);
  EXPECT_EQ(first.time_order, second.time_order);
  const auto expected = std::vector<std::pair<std::string, std::int64_t>>{
      {"/p/b.jsonl", 6}, {"/p/a.jsonl", 7}, {"/p/a.jsonl", 5}};
  EXPECT_EQ(rows(store::usage_table_of(first, {})), expected);
  EXPECT_EQ(rows(store::usage_table_of(second, {})), expected);

  cs.chunk(1, {sample(6, 200, 80, 9)});  // new chunk: the saved decision no longer fits
  LoadedCopies third = load_copies(db.getHandle());
  EXPECT_FALSE(third.from_view);
  EXPECT_EQ(store::usage_table_of(third, {}).rows.size(), 4u);
  // A damaged view (an index out of range) is not trusted.
  db.exec("UPDATE usage_view SET time_order = zeroblob(16) || x'ffffffff'");
  db.exec("UPDATE usage_view SET time_order = substr(time_order, 5)");
  LoadedCopies fourth = load_copies(db.getHandle());
  EXPECT_FALSE(fourth.from_view);
  EXPECT_EQ(store::usage_table_of(fourth, {}).rows.size(), 4u);
}

// A report's refresh (UsagePreload): after appends it decides only the touched groups, yet ends with
// what a fresh read decides; an append of later copies is known to come last in time order.
TEST(StoreChunks, IncrementalRefreshEqualsAFreshRead) {
  ChunkStore cs("refresh", {"/p/b.jsonl", "/p/a.jsonl"});
  SQLite::Database& db = cs.db();
  cs.chunk(1, {sample(5, 0, 77, 5), sample(6, 100, 78, 6)});
  LoadedCopies live = load_copies(db.getHandle());
  store::UsageTable table = store::usage_table_of(live, {});

  // A larger copy of response 77 in another file: the old copy stops counting.
  cs.chunk(2, {sample(5, 0, 77, 50)});
  RefreshDelta d;
  ASSERT_TRUE(refresh_copies(db.getHandle(), live, &d));
  EXPECT_FALSE(d.reloaded);
  EXPECT_TRUE(d.old_counted_changed);
  EXPECT_EQ(outputs(store::usage_table_of(live, {})),
            outputs(store::usage_table_of(load_copies(db.getHandle()), {})));
  EXPECT_EQ(outputs(store::usage_table_of(live, {})), (std::vector<std::int64_t>{50, 6}));
  table = store::usage_table_of(live, {});

  // Later responses: appended at the end, the table patched rather than rebuilt.
  cs.chunk(1, {sample(7, 200, 79, 7), sample(8, 300, 0, 8)});
  ASSERT_TRUE(refresh_copies(db.getHandle(), live, &d));
  EXPECT_TRUE(d.appended_at_end);
  EXPECT_FALSE(d.old_counted_changed);
  table = store::usage_table_of(live, {});
  EXPECT_EQ(outputs(table), (std::vector<std::int64_t>{50, 6, 7, 8}));
  EXPECT_EQ(outputs(table), outputs(store::usage_table_of(load_copies(db.getHandle()), {})));
  EXPECT_EQ(table.files[table.rows[3].file], "/p/b.jsonl");

  EXPECT_FALSE(refresh_copies(db.getHandle(), live, &d));  // nothing new

  // The first refresh found the earlier copies of 77 by a pass over the old ones; this one
  // has the sorted index of every keyed copy and finds 79's there.
  cs.chunk(2, {sample(9, 400, 79, 70)});
  ASSERT_TRUE(refresh_copies(db.getHandle(), live, &d));
  EXPECT_FALSE(live.keyed.empty());
  EXPECT_TRUE(d.old_counted_changed);
  EXPECT_EQ(outputs(store::usage_table_of(live, {})), (std::vector<std::int64_t>{50, 6, 8, 70}));
  EXPECT_EQ(outputs(store::usage_table_of(live, {})),
            outputs(store::usage_table_of(load_copies(db.getHandle()), {})));

  db.exec("DELETE FROM usage_chunks WHERE file_id = 2");  // a file re-read from 0
  ASSERT_TRUE(refresh_copies(db.getHandle(), live, &d));
  EXPECT_TRUE(d.reloaded);
  EXPECT_EQ(outputs(store::usage_table_of(live, {})), (std::vector<std::int64_t>{5, 6, 7, 8}));
}

// A report reads the stored copies on its own connection while the ingest writes; what the
// ingest wrote meanwhile is added by finish(), and the result is saved for the next reader.
TEST(StoreChunks, PreloadThenFinishSeesWhatTheIngestWrote) {
  ChunkStore cs("preload", {"/p/a.jsonl"});
  cs.chunk(1, {sample(5, 0, 77, 5)});
  {
    store::UsagePreload pre(cs.path);
    cs.chunk(1, {sample(6, 100, 78, 6), sample(7, 200, 77, 50)});  // "the ingest", on the main connection
    LoadedCopies all = pre.finish(cs.store);
    EXPECT_EQ(outputs(store::usage_table_of(all, {})),
              (std::vector<std::int64_t>{6, 50}));  // 77's larger copy
  }
  LoadedCopies again = load_copies(cs.db().getHandle());
  EXPECT_TRUE(again.from_view);
  EXPECT_EQ(store::usage_table_of(again, {}).rows.size(), 2u);
}
