// The incremental ingest: cursors, appends, partial lines, shrunk and replaced files,
// dedupe across files whatever the order, restarts, unreadable files.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include <filesystem>
#include <fstream>

#include "core/ingest.hpp"
#include "core/store/queries.hpp"
#include "core/store/store.hpp"
#include "core/store/usage_table.hpp"
#include "core/store/writer.hpp"

namespace fs = std::filesystem;
using namespace costdeck;

namespace {

struct Corpus {
  fs::path root;
  explicit Corpus(const std::string& name) {
    root = fs::temp_directory_path() / ("costdeck-ingest-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "claude" / "projects");
  }
  ~Corpus() { fs::remove_all(root); }
  fs::path file(const std::string& rel) const { return root / "claude" / "projects" / rel; }
  std::string db() const { return (root / "costdeck.db").string(); }
  IngestOptions opts() const {
    IngestOptions o;
    o.claude_dirs = {(root / "claude").string()};
    o.codex_dirs = {(root / "no-codex").string()};
    o.keep_activity = false;
    return o;
  }
};

std::string line(const std::string& msg, const std::string& req, int output,
                 const std::string& ts = "10:00:00", bool sidechain = false) {
  return R"({"type":"assistant","sessionId":"s1","timestamp":"2025-10-01T)" + ts + R"(.000Z","uuid":"u-)" +
         msg + req + std::to_string(output) + R"(","requestId":")" + req + R"(","isSidechain":)" +
         (sidechain ? "true" : "false") + R"(,"cwd":"/w/app","version":"2.0.1","message":{"id":")" + msg +
         R"(","model":"claude-sonnet-4-5-20250929","role":"assistant","content":[{"type":"text","text":"hi"}],)"
         R"("usage":{"input_tokens":10,"output_tokens":)" +
         std::to_string(output) + R"(,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}})" + "\n";
}

void write(const fs::path& p, const std::string& content, std::ios::openmode mode = std::ios::trunc) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::out | mode) << content;
}
void append(const fs::path& p, const std::string& content) {
  write(p, content, std::ios::app);
}

struct Totals {
  std::int64_t rows = 0, output = 0;
  bool operator==(const Totals&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Totals& t) {
  return os << t.rows << " rows, " << t.output << " out";
}

Totals totals(store::Store& s, store::DedupeRules rules = store::DedupeRules::Costdeck) {
  store::UsageQuery q;
  q.rules = rules;
  auto t = store::load_usage_table(s, q);
  Totals out;
  for (const auto& r : t.rows) {
    ++out.rows;
    out.output += r.tokens.output;
  }
  return out;
}

// What the passes so far left in the store counts exactly what one pass over today's files
// into a new store counts, under every rule set.
void expect_flags_consistent(store::Store& s, const Corpus& c) {
  const std::string fresh_db = (c.root / "fresh.db").string();
  std::filesystem::remove(fresh_db);
  store::Store fresh = store::Store::open(fresh_db);
  ingest(fresh, c.opts());
  for (auto rules :
       {store::DedupeRules::Costdeck, store::DedupeRules::Ccusage, store::DedupeRules::CcusageDaily}) {
    store::UsageQuery q;
    q.rules = rules;
    auto a = store::load_usage_table(s, q), b = store::load_usage_table(fresh, q);
    ASSERT_EQ(a.rows.size(), b.rows.size()) << "rules " << static_cast<int>(rules);
    for (std::size_t i = 0; i < a.rows.size(); ++i) {
      EXPECT_EQ(a.rows[i].ts_ms, b.rows[i].ts_ms);
      EXPECT_EQ(a.rows[i].tokens, b.rows[i].tokens) << "row " << i << " rules " << static_cast<int>(rules);
      EXPECT_EQ(a.files[a.rows[i].file], b.files[b.rows[i].file]);
    }
  }
}

}  // namespace

// A second pass reads nothing when nothing changed, then only the appended bytes.
TEST(IngestCursor, ResumesAndReadsOnlyAppendedBytes) {
  Corpus c("append");
  write(c.file("-w-app/s1.jsonl"), line("m1", "r1", 5) + line("m1", "r1", 20));
  store::Store s = store::Store::open(c.db());
  IngestStats a = ingest(s, c.opts());
  EXPECT_EQ(a.files_read, 1);
  EXPECT_EQ(a.usage_lines, 2);
  EXPECT_EQ(totals(s), (Totals{1, 20}));

  IngestStats b = ingest(s, c.opts());
  EXPECT_EQ(b.files_changed, 0);
  EXPECT_EQ(b.bytes_read, 0);

  std::string more = line("m2", "r2", 7);
  append(c.file("-w-app/s1.jsonl"), more);
  IngestStats d = ingest(s, c.opts());
  EXPECT_EQ(d.files_read, 1);
  EXPECT_EQ(d.bytes_read, static_cast<std::int64_t>(more.size()));
  EXPECT_EQ(d.usage_lines, 1);
  EXPECT_EQ(totals(s), (Totals{2, 27}));
  expect_flags_consistent(s, c);
}

// A later, larger copy of an already counted response replaces it (flags of old rows move).
TEST(IngestCursor, LaterLargerCopyTakesOverAcrossPasses) {
  Corpus c("takeover");
  write(c.file("-w-app/s1.jsonl"), line("m1", "r1", 5));
  store::Store s = store::Store::open(c.db());
  ingest(s, c.opts());
  EXPECT_EQ(totals(s), (Totals{1, 5}));
  append(c.file("-w-app/s1.jsonl"), line("m1", "r1", 50));
  ingest(s, c.opts());
  EXPECT_EQ(totals(s), (Totals{1, 50}));
  EXPECT_EQ(totals(s, store::DedupeRules::Ccusage), (Totals{1, 50}));
  expect_flags_consistent(s, c);
}

// A last line without its newline waits; once completed it is read exactly once.
TEST(IngestCursor, PartialLastLineWaitsForItsNewline) {
  Corpus c("partial");
  std::string l2 = line("m2", "r2", 9);
  write(c.file("-w-app/s1.jsonl"), line("m1", "r1", 5) + l2.substr(0, 40));
  store::Store s = store::Store::open(c.db());
  IngestStats a = ingest(s, c.opts());
  EXPECT_EQ(a.usage_lines, 1);
  EXPECT_EQ(a.malformed, 0);
  append(c.file("-w-app/s1.jsonl"), l2.substr(40));
  IngestStats b = ingest(s, c.opts());
  EXPECT_EQ(b.usage_lines, 1);
  EXPECT_EQ(b.malformed, 0);
  EXPECT_EQ(totals(s), (Totals{2, 14}));
}

// A file that shrank is re-read from 0 and its old rows are gone: no double count.
TEST(IngestCursor, ShrunkFileIsReread) {
  Corpus c("shrink");
  write(c.file("-w-app/s1.jsonl"), line("m1", "r1", 5) + line("m2", "r2", 6) + line("m3", "r3", 7));
  store::Store s = store::Store::open(c.db());
  ingest(s, c.opts());
  EXPECT_EQ(totals(s), (Totals{3, 18}));
  write(c.file("-w-app/s1.jsonl"), line("m9", "r9", 100));
  IngestStats b = ingest(s, c.opts());
  EXPECT_EQ(b.files_reset, 1);
  EXPECT_EQ(totals(s), (Totals{1, 100}));
  expect_flags_consistent(s, c);
}

// Replaced with different bytes of the same or greater length (same inode or a new one):
// the bytes before the cursor changed, so the file is re-read from 0.
TEST(IngestCursor, RewrittenFileIsReread) {
  Corpus c("rewrite");
  fs::path p = c.file("-w-app/s1.jsonl");
  write(p, line("m1", "r1", 5));
  store::Store s = store::Store::open(c.db());
  ingest(s, c.opts());
  write(p, line("m7", "r7", 8) + line("m8", "r8", 9));  // in place, same inode
  IngestStats b = ingest(s, c.opts());
  EXPECT_EQ(b.files_reset, 1);
  EXPECT_EQ(totals(s), (Totals{2, 17}));

  fs::path tmp = c.root / "new.jsonl";
  write(tmp, line("m7", "r7", 8) + line("m8", "r8", 9) + line("m4", "r4", 1));
  fs::rename(tmp, p);  // a new inode
  IngestStats d = ingest(s, c.opts());
  EXPECT_EQ(d.files_reset, 1);
  EXPECT_EQ(totals(s), (Totals{3, 18}));
  expect_flags_consistent(s, c);
}

// The check that read bytes stay the same: xxh3 of the first and of the last
// min(cursor, 4 KiB) bytes before the cursor, whether one read took the file (small files;
// a 9 MB one read in several chunks, its partial last line left out) or appends followed.
TEST(IngestCursor, WindowHashesCoverTheBytesBeforeTheCursor) {
  Corpus c("hashes");
  const std::string small = line("m1", "r1", 5);
  std::string big;
  for (int i = 0; big.size() < (9u << 20); ++i) {
    std::string l = line("b" + std::to_string(i), "rb" + std::to_string(i), 3);
    l.insert(l.find("\"hi\"") + 1, std::string(200000, 'x'));  // long text lines
    big += l;
  }
  std::string edge;  // complete lines ending exactly at 4 KiB, then a partial one
  while (edge.size() < 4096) edge += line("e" + std::to_string(edge.size()), "re", 1);
  edge.resize(edge.rfind('\n', 4095) + 1);
  const std::string pad = std::string(4096 - edge.size() - 1, ' ') + "\n";
  edge += pad;
  ASSERT_EQ(edge.size(), 4096u);
  write(c.file("-w-app/small.jsonl"), small);
  write(c.file("-w-app/big.jsonl"), big + "{\"partial");
  write(c.file("-w-app/edge.jsonl"), edge + "{\"partial");
  store::Store s = store::Store::open(c.db());
  ingest(s, c.opts());

  auto expect_hashes = [&](const std::string& name, const std::string& bytes_before_cursor) {
    SCOPED_TRACE(name);
    SQLite::Statement q(s.db(), "SELECT cursor_offset, head_hash, tail_hash FROM files WHERE path = ?");
    q.bind(1, c.file("-w-app/" + name).string());
    ASSERT_TRUE(q.executeStep());
    const auto cursor = static_cast<std::size_t>(q.getColumn(0).getInt64());
    ASSERT_EQ(cursor, bytes_before_cursor.size());
    const std::size_t n = std::min<std::size_t>(cursor, 4096);
    EXPECT_EQ(static_cast<std::uint64_t>(q.getColumn(1).getInt64()),
              XXH3_64bits(bytes_before_cursor.data(), n));
    EXPECT_EQ(static_cast<std::uint64_t>(q.getColumn(2).getInt64()),
              XXH3_64bits(bytes_before_cursor.data() + cursor - n, n));
  };
  expect_hashes("small.jsonl", small);
  expect_hashes("big.jsonl", big);
  expect_hashes("edge.jsonl", edge);

  // Appends are hashed from the file; the next passes find every file unchanged.
  append(c.file("-w-app/small.jsonl"), line("m2", "r2", 6));
  IngestStats b = ingest(s, c.opts());
  EXPECT_EQ(b.files_read, 1);
  EXPECT_EQ(b.files_reset, 0);
  expect_hashes("small.jsonl", small + line("m2", "r2", 6));
  IngestStats d = ingest(s, c.opts());
  EXPECT_EQ(d.files_changed, 0);
}

// Copies of one response in two files: counted once, the same copy, whichever file is
// ingested first.
TEST(IngestCursor, DedupeAcrossFilesDoesNotDependOnOrder) {
  std::string a = line("m1", "r1", 5) + line("m2", "r2", 30);
  std::string b = line("m1", "r1", 40) + line("m2", "r2", 30) + line("m3", "r3", 1);
  Totals first, second;
  {
    Corpus c("order1");
    write(c.file("-w-app/a.jsonl"), a);
    store::Store s = store::Store::open(c.db());
    ingest(s, c.opts());
    write(c.file("-w-app/b.jsonl"), b);
    ingest(s, c.opts());
    first = totals(s);
    expect_flags_consistent(s, c);
  }
  {
    Corpus c("order2");
    write(c.file("-w-app/b.jsonl"), b);
    store::Store s = store::Store::open(c.db());
    ingest(s, c.opts());
    write(c.file("-w-app/a.jsonl"), a);
    ingest(s, c.opts());
    second = totals(s);
    expect_flags_consistent(s, c);
  }
  EXPECT_EQ(first, (Totals{3, 71}));
  EXPECT_EQ(second, first);
}

// Restarting (a new Store and ingest on the same file) never double counts.
TEST(IngestCursor, RestartDoesNotDoubleCount) {
  Corpus c("restart");
  write(c.file("-w-app/s1.jsonl"), line("m1", "r1", 5) + line("m2", "r2", 6));
  {
    store::Store s = store::Store::open(c.db());
    ingest(s, c.opts());
  }
  store::Store s = store::Store::open(c.db());
  IngestStats b = ingest(s, c.opts());
  EXPECT_EQ(b.files_changed, 0);
  EXPECT_EQ(totals(s), (Totals{2, 11}));
}

// An unreadable file is an error entry with its path, the rest is read; once readable
// again it is read. Root reads every file, so as root the check runs in a child process
// that drops to an unprivileged user.
TEST(IngestCursor, UnreadableFileIsCountedNotFatal) {
  Corpus c("unreadable");
  write(c.file("-w-app/ok.jsonl"), line("m1", "r1", 5));
  write(c.file("-w-app/locked.jsonl"), line("m2", "r2", 6));
  ::chmod(c.file("-w-app/locked.jsonl").c_str(), 0);
  auto check = [&]() -> int {  // 0 when every expectation holds
    store::Store s = store::Store::open(c.db());
    IngestStats a = ingest(s, c.opts());
    if (a.errors.size() != 1 || a.errors[0].path.find("locked.jsonl") == std::string::npos) return 1;
    if (!(totals(s) == Totals{1, 5})) return 2;
    return 0;
  };
  int rc = 0;
  if (::geteuid() != 0) {
    rc = check();
  } else {
    for (const auto& e : fs::recursive_directory_iterator(c.root))
      if (e.path().filename() != "locked.jsonl") fs::permissions(e.path(), fs::perms::all);
    fs::permissions(c.root, fs::perms::all);
    pid_t pid = ::fork();
    if (pid == 0) {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(9);
      ::_exit(check());
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : 99;
  }
  ASSERT_EQ(rc, 0) << "1: error not reported, 2: wrong totals, 9: could not drop privileges";
  ::chmod(c.file("-w-app/locked.jsonl").c_str(), 0644);
  store::Store s = store::Store::open(c.db());
  IngestStats b = ingest(s, c.opts());
  EXPECT_TRUE(b.errors.empty());
  EXPECT_EQ(totals(s), (Totals{2, 11}));
}

// Malformed lines are skipped, counted, and the first ones kept with file:line.
TEST(IngestCursor, MalformedLinesAreCountedAndKept) {
  Corpus c("malformed");
  write(c.file("-w-app/s1.jsonl"), line("m1", "r1", 5) + "{not json\n" + line("m2", "r2", 6));
  store::Store s = store::Store::open(c.db());
  IngestStats a = ingest(s, c.opts());
  EXPECT_EQ(a.malformed, 1);
  ASSERT_EQ(a.malformed_examples.size(), 1u);
  EXPECT_EQ(a.malformed_examples[0].line_no, 2);
  auto kept = store::load_malformed(s);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].line_no, 2);
  EXPECT_EQ(totals(s), (Totals{2, 11}));
}

// A deleted file keeps its rows (history) and is marked missing.
TEST(IngestCursor, DeletedFileKeepsRowsAndIsMarkedMissing) {
  Corpus c("deleted");
  write(c.file("-w-app/s1.jsonl"), line("m1", "r1", 5));
  store::Store s = store::Store::open(c.db());
  ingest(s, c.opts());
  fs::remove(c.file("-w-app/s1.jsonl"));
  IngestStats b = ingest(s, c.opts());
  EXPECT_EQ(b.files_missing, 1);
  EXPECT_EQ(totals(s), (Totals{1, 5}));
  auto files = store::load_file_stats(s);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].missing);
}

// Rows come back sorted by time, with interned strings.
TEST(IngestCursor, UsageTableIsSortedAndInterned) {
  Corpus c("table");
  write(c.file("-w-app/b.jsonl"), line("m2", "r2", 6, "12:00:00"));
  write(c.file("-w-app/a.jsonl"), line("m1", "r1", 5, "11:00:00") + line("m3", "r3", 7, "13:00:00"));
  store::Store s = store::Store::open(c.db());
  ingest(s, c.opts());
  auto t = store::load_usage_table(s, {});
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_LT(t.rows[0].ts_ms, t.rows[1].ts_ms);
  EXPECT_LT(t.rows[1].ts_ms, t.rows[2].ts_ms);
  EXPECT_EQ(t.models.at(t.rows[0].model), "claude-sonnet-4-5-20250929");
  EXPECT_EQ(t.sessions.at(t.rows[1].session), "s1");
  EXPECT_EQ(t.projects.at(t.rows[2].project), "/w/app");
  EXPECT_NE(t.files.at(t.rows[1].file).find("b.jsonl"), std::string::npos);
  store::UsageQuery q;
  q.since_ms = t.rows[1].ts_ms;
  q.until_ms = t.rows[2].ts_ms;
  EXPECT_EQ(store::load_usage_table(s, q).rows.size(), 1u);
}
