// Usage-only passes (the usage reports') leave the activity of Claude transcripts for later:
// whatever mix of usage-only and full passes read a corpus, the store ends as one full pass
// over the final files would leave it (runs, errors, open turns, counters, usage).

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/ingest.hpp"
#include "core/store/schema.hpp"
#include "core/store/store.hpp"
#include "core/store/usage_table.hpp"
#include "tests/bench/corpus_gen.hpp"
#include "tests/unit/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace costdeck;

using costdeck::test::read_all;
using costdeck::test::TempDir;

namespace {

void write_file(const fs::path& p, const std::string& bytes, bool append = false) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | (append ? std::ios::app : std::ios::trunc)) << bytes;
}

IngestOptions options(const fs::path& data, bool activity) {
  IngestOptions o;
  o.claude_dirs = {(data / "claude").string()};
  o.codex_dirs = {(data / "codex").string()};
  o.keep_activity = activity;
  o.now_ms = 1760000000000;
  return o;
}

// Every row of a table but the columns that only say when or in which order it was written.
std::vector<std::string> dump(SQLite::Database& db, const std::string& table, const std::string& order) {
  std::vector<std::string> cols;
  SQLite::Statement info(db, "SELECT name FROM pragma_table_info('" + table + "')");
  while (info.executeStep()) {
    std::string c = info.getColumn(0).getString();
    if (c != "id" && c != "written_ms" && c != "last_scan_ms" && c != "first_seen_ms") cols.push_back(c);
  }
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < cols.size(); ++i) sql += (i ? "," : "") + std::string("quote(") + cols[i] + ")";
  SQLite::Statement q(db, sql + " FROM " + table + " ORDER BY " + order);
  std::vector<std::string> rows;
  while (q.executeStep()) {
    std::string row;
    for (int i = 0; i < q.getColumnCount(); ++i) row += q.getColumn(i).getString() + "|";
    rows.push_back(row);
  }
  return rows;
}

struct StoreImage {
  std::vector<std::string> runs, errors, links, turns, files, malformed_lines;
  std::int64_t usage_rows = 0, output = 0;
};

StoreImage image_of(const fs::path& db_path) {
  auto st = store::Store::open(db_path.string());
  SQLite::Database& db = st.db();
  StoreImage im;
  im.runs = dump(db, "runs", "run_key");
  im.errors = dump(db, "run_errors", "event_key");
  im.links = dump(db, "session_links", "session_id");
  im.turns = dump(db, "run_turn_state", "file_id, track");
  // Not where the copy of the corpus lives (path, dev, ino, mtime): what was read of it.
  SQLite::Statement f(
      db,
      "SELECT kind, size, cursor_offset, cursor_line, hex(cursor_state), head_hash, tail_hash, "
      "lines, usage_lines, malformed, resets, missing, error, runs_offset, runs_line "
      "FROM files ORDER BY path");
  while (f.executeStep()) {
    std::string row;
    for (int i = 0; i < f.getColumnCount(); ++i) row += f.getColumn(i).getString() + "|";
    im.files.push_back(row);
  }
  SQLite::Statement m(db, "SELECT file_id, line_no FROM malformed ORDER BY file_id, line_no");
  while (m.executeStep())
    im.malformed_lines.push_back(m.getColumn(0).getString() + ":" + m.getColumn(1).getString());
  store::UsageQuery q;
  for (const auto& r : store::load_usage_table(st, q).rows) {
    ++im.usage_rows;
    im.output += r.tokens.output;
  }
  return im;
}

void expect_same(const StoreImage& a, const StoreImage& b) {
  EXPECT_EQ(a.runs, b.runs);
  EXPECT_EQ(a.errors, b.errors);
  EXPECT_EQ(a.links, b.links);
  EXPECT_EQ(a.turns, b.turns);
  EXPECT_EQ(a.files, b.files);
  EXPECT_EQ(a.malformed_lines, b.malformed_lines);
  EXPECT_EQ(a.usage_rows, b.usage_rows);
  EXPECT_EQ(a.output, b.output);
}

std::int64_t count(const fs::path& db_path, const std::string& sql) {
  auto st = store::Store::open(db_path.string());
  return st.db().execAndGet(sql).getInt64();
}

std::vector<fs::path> transcripts(const fs::path& root) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().extension() == ".jsonl") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Cuts a file's bytes at the line boundary nearest `share` of its size.
std::size_t cut_at(const std::string& bytes, double share) {
  std::size_t at = bytes.find('\n', static_cast<std::size_t>(static_cast<double>(bytes.size()) * share));
  return at == std::string::npos ? bytes.size() : at + 1;
}

class IngestDeferred : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    corpus_ = new TempDir("deferred_corpus");
    bench::CorpusOptions o;
    o.out = corpus_->path().string();
    o.seed = 11;
    o.size_mb = 3;
    o.big_line_mb = 0.2;
    bench::generate_corpus(o);
    reference_ = new TempDir("deferred_reference");
    ingest_into(reference_->path() / "db", corpus_->path(), true);
  }
  static void TearDownTestSuite() {
    delete corpus_;
    delete reference_;
  }
  static IngestStats ingest_into(const fs::path& db, const fs::path& data, bool activity) {
    auto st = store::Store::open(db.string());
    return ingest(st, options(data, activity));
  }
  static StoreImage reference() { return image_of(reference_->path() / "db"); }

  static TempDir* corpus_;
  static TempDir* reference_;
};
TempDir* IngestDeferred::corpus_ = nullptr;
TempDir* IngestDeferred::reference_ = nullptr;

}  // namespace

// A usage-only pass writes the usage and no Claude runs; the next full pass reads every
// transcript again for its activity alone, and then the store is the one-pass store.
TEST_F(IngestDeferred, UsageOnlyThenFullEqualsOneFullPass) {
  TempDir work("deferred_then_full");
  const fs::path db = work.path() / "db";
  IngestStats first = ingest_into(db, corpus_->path(), false);
  EXPECT_GT(first.usage_lines, 0);
  EXPECT_EQ(count(db, "SELECT count(*) FROM runs WHERE runtime = 'claude-code'"), 0);
  EXPECT_GT(count(db, "SELECT count(*) FROM runs WHERE runtime = 'codex'"), 0);  // Codex is read whole
  EXPECT_GT(count(db, "SELECT count(*) FROM files WHERE kind = 0 AND runs_offset < cursor_offset"), 0);
  EXPECT_EQ(count(db, "SELECT count(*) FROM files WHERE kind = 1 AND runs_offset <> cursor_offset"), 0);
  const StoreImage ref = reference();
  {
    StoreImage after_usage = image_of(db);
    EXPECT_EQ(after_usage.usage_rows, ref.usage_rows);
    EXPECT_EQ(after_usage.output, ref.output);
  }

  IngestStats second = ingest_into(db, corpus_->path(), true);
  EXPECT_GT(second.files_read, 0);
  EXPECT_EQ(second.files_caught_up,
            count(db, "SELECT count(*) FROM files WHERE kind = 0 AND cursor_offset > 0"));
  EXPECT_EQ(second.lines, 0);        // every line was counted by the first pass
  EXPECT_EQ(second.usage_lines, 0);  // ... and its usage written
  expect_same(image_of(db), ref);
  EXPECT_EQ(ingest_into(db, corpus_->path(), true).files_changed, 0);
  EXPECT_EQ(ingest_into(db, corpus_->path(), false).files_changed, 0);
}

// Files growing between passes of both kinds: half of each file, a usage-only pass, the
// rest appended, another usage-only pass, a full pass.
TEST_F(IngestDeferred, AppendsBetweenMixedPassesEqualOneFullPass) {
  for (const bool middle_full : {false, true}) {
    SCOPED_TRACE(middle_full ? "usage, full, append, usage, full" : "usage, append, usage, full");
    TempDir work("deferred_appends");
    const fs::path data = work.path() / "data", db = work.path() / "db";
    fs::copy(corpus_->path(), data, fs::copy_options::recursive);
    std::map<fs::path, std::string> rest;
    for (const fs::path& p : transcripts(data)) {
      const std::string bytes = read_all(p);
      const std::size_t at = cut_at(bytes, 0.5);
      rest[p] = bytes.substr(at);
      write_file(p, bytes.substr(0, at));
    }
    ingest_into(db, data, false);
    if (middle_full) ingest_into(db, data, true);
    for (const auto& [p, tail] : rest) write_file(p, tail, true);
    ingest_into(db, data, false);
    ingest_into(db, data, true);
    expect_same(image_of(db), reference());
  }
}

// Lines a usage-only pass took: an activity pass counts as malformed only the broken lines
// that pass could not see (valid-looking, no "usage"), never one twice.
TEST(IngestDeferredLines, MalformedLinesAreCountedOnceWhateverThePasses) {
  TempDir work("deferred_malformed");
  const fs::path file = work.path() / "data" / "claude" / "projects" / "-w-app" / "s1.jsonl";
  const std::string user =
      R"({"type":"user","sessionId":"s1","timestamp":"2025-10-01T10:00:00.000Z","uuid":"u1","cwd":"/w/app",)"
      R"("message":{"role":"user","content":"fix the build"}})";
  const std::string assistant =
      R"({"type":"assistant","sessionId":"s1","timestamp":"2025-10-01T10:00:05.000Z","uuid":"a1","requestId":"r1",)"
      R"("cwd":"/w/app","message":{"id":"m1","model":"claude-sonnet-4-5-20250929","role":"assistant",)"
      R"("content":[{"type":"text","text":"done"}],"usage":{"input_tokens":10,"output_tokens":5}}})";
  const std::string looks_whole_but_is_not = R"({"type":"user","message":{"role":"user" "content":"x"}})";
  const std::string nul_line = std::string(R"({"type":"user",)") + '\0' + "}";
  const std::string broken_usage = R"({"type":"assistant","message":{"usage":{"input_tokens":}}})";
  write_file(file, user + "\n" + looks_whole_but_is_not + "\n" + nul_line + "\n" + broken_usage + "\n" +
                       assistant + "\n");

  const fs::path deferred = work.path() / "deferred.db", whole = work.path() / "whole.db";
  auto pass = [&](const fs::path& db, bool activity) {
    auto st = store::Store::open(db.string());
    return ingest(st, options(work.path() / "data", activity));
  };
  IngestStats usage_only = pass(deferred, false);
  EXPECT_EQ(usage_only.lines, 5);
  EXPECT_EQ(usage_only.malformed, 2);  // the NUL line, the broken usage line
  IngestStats catch_up = pass(deferred, true);
  EXPECT_EQ(catch_up.lines, 0);
  EXPECT_EQ(catch_up.malformed, 1);  // the line only a full parse finds broken
  IngestStats one_pass = pass(whole, true);
  EXPECT_EQ(one_pass.malformed, 3);
  EXPECT_EQ(count(deferred, "SELECT malformed FROM files"), 3);
  expect_same(image_of(deferred), image_of(whole));
  EXPECT_EQ(count(deferred, "SELECT count(*) FROM runs"), 1);
}

// A transcript replaced between a usage-only pass and the next: the re-read from 0 drops
// what the old bytes left (open turns included), and the full pass after it matches a store
// that only ever saw the new file.
TEST_F(IngestDeferred, ReplacedFileAfterAUsageOnlyPass) {
  TempDir work("deferred_replaced");
  const fs::path data = work.path() / "data", db = work.path() / "db";
  fs::copy(corpus_->path(), data, fs::copy_options::recursive);
  const std::vector<fs::path> files = transcripts(data / "claude");
  ASSERT_GT(files.size(), 2u);
  const fs::path victim = files[files.size() / 2];
  const std::string bytes = read_all(victim);
  ingest_into(db, data, true);
  write_file(victim, bytes.substr(0, cut_at(bytes, 0.3)));  // shrinks: a re-read from 0
  ingest_into(db, data, false);
  EXPECT_EQ(count(db, "SELECT runs_offset FROM files WHERE path = '" + victim.string() + "'"), 0);
  ingest_into(db, data, true);

  TempDir fresh("deferred_replaced_fresh");
  ingest_into(fresh.path() / "db", data, true);
  StoreImage a = image_of(db), b = image_of(fresh.path() / "db");
  // Runs of the cut-off lines stay (runs are history, as after any re-read); every run of
  // the fresh store is there, as the fresh store has it.
  std::sort(a.runs.begin(), a.runs.end());
  std::sort(b.runs.begin(), b.runs.end());
  EXPECT_TRUE(std::includes(a.runs.begin(), a.runs.end(), b.runs.begin(), b.runs.end()));
  EXPECT_EQ(a.turns, b.turns);
  EXPECT_EQ(a.usage_rows, b.usage_rows);
  EXPECT_EQ(a.output, b.output);
  EXPECT_EQ(count(db, "SELECT resets FROM files WHERE path = '" + victim.string() + "'"), 1);
}

// Stores written before the second cursor: every pass then read activity with usage, so the
// migration puts the runs cursor where the usage cursor is (nothing is read again).
TEST(IngestDeferredLines, MigrationStartsTheRunsCursorAtTheUsageCursor) {
  TempDir work("deferred_migration");
  const std::string db_path = (work.path() / "v5.db").string();
  {
    SQLite::Database db(db_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (int step = 0; step < 5; ++step) db.exec(std::string(store::migrations()[step].sql));
    db.exec("PRAGMA user_version = 5");
    db.exec(
        "INSERT INTO files (id, path, kind, cursor_offset, cursor_line) VALUES (1, '/h/p/-w/a.jsonl', 0, "
        "500, 7)");
  }
  auto st = store::Store::open(db_path);
  EXPECT_EQ(st.db().execAndGet("PRAGMA user_version").getInt(), store::latest_schema_version());
  EXPECT_EQ(st.db().execAndGet("SELECT runs_offset FROM files WHERE id = 1").getInt64(), 500);
  EXPECT_EQ(st.db().execAndGet("SELECT runs_line FROM files WHERE id = 1").getInt64(), 7);
}
