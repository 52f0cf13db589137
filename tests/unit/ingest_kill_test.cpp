// Killing `costdeck ingest` at random moments and running it again gives exactly the
// totals of an uninterrupted run: every batch commits whole or not at all.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "core/store/store.hpp"
#include "core/store/usage_table.hpp"
#include "core/store/writer.hpp"

namespace fs = std::filesystem;
using namespace costdeck;

namespace {

// Many sessions; each resumed session copies the tail of an earlier one (duplicates across
// files and batches); every response is written as two growing lines.
void make_corpus(const fs::path& claude, unsigned seed) {
  std::mt19937 rng(seed);
  std::string pad(600, 'x');
  const int kFiles = 400, kResponses = 120;
  std::vector<std::string> previous;
  for (int f = 0; f < kFiles; ++f) {
    fs::path p =
        claude / "projects" / ("-w-p" + std::to_string(f % 17)) / ("s" + std::to_string(f) + ".jsonl");
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    std::vector<std::string> lines;
    if (!previous.empty() && f % 3 == 0)
      for (std::size_t i = previous.size() / 2; i < previous.size(); ++i) lines.push_back(previous[i]);
    for (int r = 0; r < kResponses; ++r) {
      std::string id = std::to_string(f) + "_" + std::to_string(r);
      int out1 = static_cast<int>(rng() % 50), out2 = out1 + static_cast<int>(rng() % 500);
      int sec = (f * 37 + r) % 86400;
      char ts[32];
      std::snprintf(ts, sizeof ts, "2025-10-%02dT%02d:%02d:%02d.000Z", 1 + f % 28, sec / 3600,
                    (sec / 60) % 60, sec % 60);
      for (int out_tokens : {out1, out2}) {
        lines.push_back(
            std::string(R"({"type":"assistant","sessionId":"s)") + std::to_string(f) + R"(","timestamp":")" +
            ts + R"(","requestId":"req_)" + id +
            R"(","isSidechain":false,"cwd":"/w/p","version":"2.0.1","message":{"id":"msg_)" + id +
            R"(","model":"claude-sonnet-4-5-20250929","role":"assistant","content":[{"type":"text","text":")" +
            pad + R"("}],"usage":{"input_tokens":)" + std::to_string(10 + r) + R"(,"output_tokens":)" +
            std::to_string(out_tokens) +
            R"(,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000}}})");
      }
    }
    for (const auto& l : lines) out << l << '\n';
    previous = lines;
  }
}

pid_t spawn_ingest(const std::string& db, const std::string& claude, const std::string& codex) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execl(COSTDECK_BINARY, COSTDECK_BINARY, "ingest", "--db", db.c_str(), "--claude-dir", claude.c_str(),
            "--codex-dir", codex.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

int run_ingest(const std::string& db, const std::string& claude, const std::string& codex) {
  pid_t pid = spawn_ingest(db, claude, codex);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Totals {
  std::int64_t rows = 0, input = 0, output = 0, cache = 0;
  bool operator==(const Totals&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Totals& t) {
  return os << t.rows << " rows, in " << t.input << ", out " << t.output << ", cache " << t.cache;
}

Totals totals(const std::string& db, store::DedupeRules rules) {
  store::Store s = store::Store::open(db);
  store::UsageQuery q;
  q.rules = rules;
  Totals t;
  for (const auto& r : store::load_usage_table(s, q).rows) {
    ++t.rows;
    t.input += r.tokens.input;
    t.output += r.tokens.output;
    t.cache += r.tokens.cache_read + r.tokens.cache_write();
  }
  return t;
}

}  // namespace

TEST(IngestKill, KilledAndRerunEqualsUninterrupted) {
  fs::path root = fs::temp_directory_path() / ("costdeck-kill-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::path claude = root / "claude", codex = root / "no-codex";
  make_corpus(claude, 42);
  std::string ref_db = (root / "ref.db").string(), db = (root / "killed.db").string();

  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run_ingest(ref_db, claude.string(), codex.string()), 0);
  auto full_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();

  std::mt19937 rng(7);
  int killed = 0;
  for (int round = 0; round < 6; ++round) {
    pid_t pid = spawn_ingest(db, claude.string(), codex.string());
    auto delay = std::chrono::milliseconds(1 + rng() % std::max<long long>(2, full_ms));
    std::this_thread::sleep_for(delay);
    if (::kill(pid, SIGKILL) == 0) ++killed;
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  ASSERT_EQ(run_ingest(db, claude.string(), codex.string()), 0);
  EXPECT_GT(killed, 0);

  for (auto rules : {store::DedupeRules::Costdeck, store::DedupeRules::Ccusage})
    EXPECT_EQ(totals(db, rules), totals(ref_db, rules));
  // 400 files x 120 responses, resumed copies deduplicated.
  EXPECT_EQ(totals(ref_db, store::DedupeRules::Costdeck).rows, 400 * 120);
  fs::remove_all(root);
}
