// The writers as processes: record validation (exit 2, nothing written), import all or
// nothing, a killed import, and eight concurrent writers beside an ingest.

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Tmp {
  fs::path dir;
  Tmp() {
    char t[] = "/tmp/costdeck-runs-XXXXXX";
    dir = mkdtemp(t);
  }
  ~Tmp() { fs::remove_all(dir); }
  std::string db() const { return (dir / "s.db").string(); }
};

// Runs a shell command; returns the exit status (128+N when killed by signal N).
int sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  if (WIFEXITED(rc)) return WEXITSTATUS(rc);
  if (WIFSIGNALED(rc)) return 128 + WTERMSIG(rc);
  return -1;
}

std::string bin() { return COSTDECK_BINARY; }

std::int64_t scalar(const std::string& db, const std::string& sql) {
  if (!fs::exists(db)) return -1;
  SQLite::Database d(db, SQLite::OPEN_READONLY);
  return d.execAndGet(sql).getInt64();
}

std::string env(const Tmp& t) { return "XDG_CONFIG_HOME=" + t.dir.string() + "/cfg HOME=" + t.dir.string() + " "; }

}  // namespace

// Each bad value: exit 2, a message naming the flag, and not one row written.
TEST(RunsCli, RecordValidation) {
  Tmp t;
  const std::string base = env(t) + bin() + " record --db " + t.db() + " ";
  ASSERT_EQ(sh(base + "--title ok -q"), 0);
  for (const char* bad : {"--status done", "--started 'next tuesday'", "--ended 2025-02-30T00:00:00Z",
                          "--duration-ms 1.5", "--tokens-in abc", "--tokens-out -1", "--cost free",
                          "--meta '[1,2]'", "--meta '{oops'", "--started 2025-03-01T10:00:00Z --ended 2025-03-01T09:00:00Z"}) {
    EXPECT_EQ(sh(base + bad + " 2>" + t.dir.string() + "/err"), 2) << bad;
    std::ifstream e(t.dir / "err");
    std::string msg((std::istreambuf_iterator<char>(e)), {});
    EXPECT_NE(msg.find("nothing was written"), std::string::npos) << bad << ": " << msg;
  }
  EXPECT_EQ(scalar(t.db(), "SELECT count(*) FROM runs"), 1);
}

// Computed cost is marked computed; a given cost is kept and not marked.
TEST(RunsCli, RecordCostComputedOrGiven) {
  Tmp t;
  const std::string base = env(t) + bin() + " record -q --db " + t.db() + " --model claude-sonnet-4-5 --tokens-in 100000 ";
  ASSERT_EQ(sh(base + "--id a"), 0);
  ASSERT_EQ(sh(base + "--id b --cost 0.5"), 0);
  EXPECT_EQ(scalar(t.db(), "SELECT cost_computed FROM runs WHERE run_key='a'"), 1);
  EXPECT_EQ(scalar(t.db(), "SELECT CAST(cost_usd * 1000 AS INTEGER) FROM runs WHERE run_key='a'"), 300);
  EXPECT_EQ(scalar(t.db(), "SELECT cost_computed FROM runs WHERE run_key='b'"), 0);
  EXPECT_EQ(scalar(t.db(), "SELECT CAST(cost_usd * 1000 AS INTEGER) FROM runs WHERE run_key='b'"), 500);
}

// A bad line anywhere: its number in the message, exit 2, nothing imported; a good file
// imported twice is there once; a session map becomes links.
TEST(RunsCli, ImportAllOrNothing) {
  Tmp t;
  const std::string base = env(t) + bin() + " import --db " + t.db() + " -q ";
  {
    std::ofstream f(t.dir / "bad.ndjson");
    f << "{\"title\":\"a\"}\n{\"title\":\"b\"}\n\n{\"title\":\"c\",\"status\":\"nope\"}\n{\"title\":\"d\"}\n";
  }
  EXPECT_EQ(sh(base + (t.dir / "bad.ndjson").string() + " 2>" + t.dir.string() + "/err"), 2);
  std::ifstream e(t.dir / "err");
  std::string msg((std::istreambuf_iterator<char>(e)), {});
  EXPECT_NE(msg.find("bad.ndjson:4:"), std::string::npos) << msg;
  EXPECT_LE(scalar(t.db(), "SELECT count(*) FROM runs"), 0);
  {
    std::ofstream f(t.dir / "good.ndjson");
    f << "{\"title\":\"a\",\"started\":\"2025-03-01T10:00:00Z\"}\n{\"title\":\"a\",\"started\":\"2025-03-01T10:00:00Z\"}\n"
         "{\"id\":\"x\",\"title\":\"b\",\"started\":1740823200000}\n";
  }
  ASSERT_EQ(sh(base + (t.dir / "good.ndjson").string()), 0);
  ASSERT_EQ(sh(base + (t.dir / "good.ndjson").string()), 0);
  EXPECT_EQ(scalar(t.db(), "SELECT count(*) FROM runs"), 3);  // two identical lines are two runs, once each
  EXPECT_EQ(scalar(t.db(), "SELECT count(*) FROM runs WHERE source='import'"), 3);
  {
    std::ofstream f(t.dir / "map.json");
    f << R"({"MIN-123": {"sessions": [{"id": "s1", "startedAt": "2025-03-01T10:00:00Z", "endedAt": "2025-03-01T11:00:00Z",
            "type": "planning", "model": "claude-opus-4-5"}, {"id": "s2", "type": "review"}]}})";
  }
  ASSERT_EQ(sh(base + (t.dir / "map.json").string()), 0);
  EXPECT_EQ(scalar(t.db(), "SELECT count(*) FROM session_links WHERE issue='MIN-123'"), 2);
  EXPECT_EQ(scalar(t.db(), "SELECT count(*) FROM session_links WHERE phase='planning'"), 1);
  ASSERT_EQ(sh(env(t) + bin() + " link --db " + t.db() + " s3 MIN-9 --phase implementation"), 0);
  EXPECT_EQ(scalar(t.db(), "SELECT count(*) FROM session_links WHERE issue='MIN-9' AND phase='implementation'"), 1);
}

// An importer killed inside its transaction leaves a valid store with none of its rows.
TEST(RunsCli, KilledImportLeavesNothing) {
  Tmp t;
  {
    std::ofstream f(t.dir / "many.ndjson");
    for (int i = 0; i < 3000; ++i) f << "{\"id\":\"k" << i << "\",\"title\":\"t\",\"duration_ms\":" << i << "}\n";
  }
  const std::string cmd = env(t) + bin() + " import -q --db " + t.db() + " " + (t.dir / "many.ndjson").string();
  EXPECT_EQ(sh("COSTDECK_TEST_KILL_IMPORT_AFTER=1500 " + cmd), 128 + 9);
  EXPECT_EQ(scalar(t.db(), "SELECT count(*) FROM runs"), 0);
  SQLite::Database d(t.db(), SQLite::OPEN_READONLY);
  EXPECT_EQ(d.execAndGet("PRAGMA integrity_check").getString(), "ok");
  ASSERT_EQ(sh(cmd), 0);
  EXPECT_EQ(scalar(t.db(), "SELECT count(*) FROM runs"), 3000);
}

// Eight `record --stdin` processes (500 runs each, 10 transactions each) and an ingest at
// the same time: exactly 4000 rows, every writer exits 0, no duplicate.
TEST(RunsCli, ConcurrentWritersBesideIngest) {
  Tmp t;
  // A Claude folder for the ingest: the turn fixtures copied into many sessions.
  fs::path projects = t.dir / "claude" / "projects" / "-w-app";
  fs::create_directories(projects);
  for (int i = 0; i < 300; ++i)
    fs::copy_file(fs::path(COSTDECK_FIXTURES_DIR) / "runs" / "turns.jsonl", projects / ("s" + std::to_string(i) + ".jsonl"));
  // Create the store first so the writers race on data, not on the first migration.
  ASSERT_EQ(sh(env(t) + bin() + " record -q --db " + t.db() + " --id seed --title seed"), 0);
  std::string script = "cd " + t.dir.string() + "; ";
  script += "(" + env(t) + bin() + " report activity --json --db " + t.db() + " --claude-dir " +
            (t.dir / "claude").string() + " --codex-dir " + (t.dir / "nocodex").string() +
            " >/dev/null 2>ingest.err; echo $? > ingest.rc) & ";
  for (int w = 0; w < 8; ++w) {
    std::string ws = std::to_string(w);
    script += "(seq 1 500 | sed 's/.*/{\"title\":\"w" + ws + "-&\",\"duration_ms\":5,\"agent\":\"w" + ws + "\"}/' | " +
              env(t) + bin() + " record --stdin -q --batch 50 --db " + t.db() + " 2>w" + ws + ".err; echo $? > w" + ws +
              ".rc) & ";
  }
  script += "wait";
  ASSERT_EQ(sh(script), 0);
  for (int w = 0; w < 8; ++w) {
    std::ifstream rc(t.dir / ("w" + std::to_string(w) + ".rc"));
    int code = -1;
    rc >> code;
    std::ifstream er(t.dir / ("w" + std::to_string(w) + ".err"));
    std::string err((std::istreambuf_iterator<char>(er)), {});
    EXPECT_EQ(code, 0) << "writer " << w << ": " << err;
    EXPECT_TRUE(err.empty()) << err;
  }
  std::ifstream irc(t.dir / "ingest.rc");
  int icode = -1;
  irc >> icode;
  EXPECT_EQ(icode, 0);
  EXPECT_EQ(scalar(t.db(), "SELECT count(*) FROM runs WHERE source='recorded' AND run_key <> 'seed'"), 4000);
  EXPECT_EQ(scalar(t.db(), "SELECT count(DISTINCT title) FROM runs WHERE source='recorded' AND run_key <> 'seed'"), 4000);
  for (int w = 0; w < 8; ++w)
    EXPECT_EQ(scalar(t.db(), "SELECT count(*) FROM runs WHERE agent='w" + std::to_string(w) + "'"), 500);
  // The ingest's turns: 300 files with the same three prompt uuids are 3 runs.
  EXPECT_EQ(scalar(t.db(), "SELECT count(*) FROM runs WHERE source='session-file'"), 3);
}
