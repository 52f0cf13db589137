// Session-file turns -> runs: boundaries, status, duration, tokens, resumed copies, and a
// turn split over two reads.

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/runs/run_store.hpp"
#include "core/runs/session_runs.hpp"
#include "core/sources/claude_line.hpp"

using namespace costdeck;

namespace {

std::vector<sources::ClaudeLine> read_lines(const std::string& name) {
  std::ifstream in(std::string(COSTDECK_FIXTURES_DIR) + "/runs/" + name);
  std::vector<sources::ClaudeLine> out;
  std::string line;
  while (std::getline(in, line)) {
    sources::ClaudeLine l;
    std::string err;
    EXPECT_TRUE(sources::parse_claude_line(line, l, &err)) << err;
    out.push_back(l);
  }
  return out;
}

struct Db {
  SQLite::Database db{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  Db() { runs::ensure_runs_schema(db); }
  runs::RunTable load() { return runs::load_runs(db, default_config(), {}); }
};

const runs::RunRow* by_key(const runs::RunTable& t, const std::string& key) {
  for (const auto& r : t.rows)
    if (t.text_of(r.key) == key) return &r;
  return nullptr;
}

}  // namespace

// turns.jsonl: three real prompts among a meta line, a local-command echo, a tool result and
// an interruption marker -> exactly three turns.
TEST(RunsTurns, RealPromptsStartTurns) {
  Db d;
  runs::ingest_session_activity(d.db, 1, read_lines("turns.jsonl"));
  auto t = d.load();
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.text_of(t.rows[0].key), "cc:u1");
  EXPECT_EQ(t.text_of(t.rows[1].key), "cc:u3");
  EXPECT_EQ(t.text_of(t.rows[2].key), "cc:u4");
}

// turn_duration wins; tokens count each message.id once, the largest copy (m1: out 50 not 10+50).
TEST(RunsTurns, DurationFromTurnDurationAndTokensOncePerResponse) {
  Db d;
  runs::ingest_session_activity(d.db, 1, read_lines("turns.jsonl"));
  auto t = d.load();
  const auto* r = by_key(t, "cc:u1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->duration_ms, 25000);
  EXPECT_EQ(r->status, runs::RunStatus::Success);
  EXPECT_EQ(r->tokens.input, 300);
  EXPECT_EQ(r->tokens.output, 70);
  EXPECT_TRUE(r->has_cost);
  EXPECT_TRUE(r->cost_computed);
  EXPECT_NEAR(r->cost_usd, (300 * 3.0 + 70 * 15.0) / 1e6, 1e-12);
  EXPECT_EQ(t.text_of(r->title), "Fix the login bug in the auth module…");
  EXPECT_EQ(t.str(r->issue), "MIN-123");  // from gitBranch feature/MIN-123-login
}

// Interrupted turn without turn_duration: aborted, duration prompt -> last assistant line.
TEST(RunsTurns, InterruptedIsAbortedWithFallbackDuration) {
  Db d;
  runs::ingest_session_activity(d.db, 1, read_lines("turns.jsonl"));
  auto t = d.load();
  const auto* r = by_key(t, "cc:u3");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, runs::RunStatus::Aborted);
  EXPECT_EQ(r->duration_ms, 10000);
}

// A turn that ends on an API error line is an error, with the API error as its message.
TEST(RunsTurns, EndingOnApiErrorIsError) {
  Db d;
  runs::ingest_session_activity(d.db, 1, read_lines("turns.jsonl"));
  auto t = d.load();
  const auto* r = by_key(t, "cc:u4");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, runs::RunStatus::Error);
  EXPECT_NE(t.text_of(r->error).find("API Error: 529"), std::string::npos);
  // Error events: the failed Bash call, the interruption, the API error.
  ASSERT_EQ(t.errors.size(), 3u);
  EXPECT_EQ(t.errors[0].kind, runs::ErrorKind::ToolError);
  EXPECT_EQ(t.errors[0].tool, "Bash");
  EXPECT_EQ(t.errors[1].kind, runs::ErrorKind::Interruption);
  EXPECT_EQ(t.errors[2].kind, runs::ErrorKind::ApiError);
  EXPECT_EQ(t.errors[2].status, 529);
}

// The file read in two pieces (the first ends mid-turn) gives the same runs as one read.
TEST(RunsTurns, TurnSpanningTwoReads) {
  auto lines = read_lines("turns.jsonl");
  Db whole, split;
  runs::ingest_session_activity(whole.db, 1, lines);
  std::vector<sources::ClaudeLine> a(lines.begin(), lines.begin() + 2), b(lines.begin() + 2, lines.end());
  runs::ingest_session_activity(split.db, 1, a);
  {
    auto mid = split.load();
    ASSERT_EQ(mid.rows.size(), 1u);  // the open turn is already visible
    EXPECT_EQ(mid.rows[0].tokens.output, 10);
  }
  runs::ingest_session_activity(split.db, 1, b);
  auto x = whole.load(), y = split.load();
  ASSERT_EQ(x.rows.size(), y.rows.size());
  for (std::size_t i = 0; i < x.rows.size(); ++i) {
    EXPECT_EQ(x.text_of(x.rows[i].key), y.text_of(y.rows[i].key));
    EXPECT_EQ(x.rows[i].tokens, y.rows[i].tokens);
    EXPECT_EQ(x.rows[i].duration_ms, y.rows[i].duration_ms);
    EXPECT_EQ(x.rows[i].status, y.rows[i].status);
  }
}

// A resumed session copies the first prompt (same uuid): counted once; re-ingesting adds nothing.
TEST(RunsTurns, ResumedCopyCountsOnceAndReingestIsIdempotent) {
  Db d;
  runs::ingest_session_activity(d.db, 1, read_lines("turns.jsonl"));
  runs::ingest_session_activity(d.db, 2, read_lines("resumed.jsonl"));
  auto t = d.load();
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.str(by_key(t, "cc:u1")->session), "S1");  // the original keeps it
  EXPECT_EQ(by_key(t, "cc:u1")->tokens.output, 70);
  runs::reset_session_activity(d.db, 1);
  runs::ingest_session_activity(d.db, 1, read_lines("turns.jsonl"));
  EXPECT_EQ(d.load().rows.size(), 4u);
}

// store_prompt_text = false: no prompt words reach the store.
TEST(RunsTurns, NoPromptTextOption) {
  Db d;
  runs::SessionRunOptions o;
  o.store_prompt_text = false;
  runs::ingest_session_activity(d.db, 1, read_lines("turns.jsonl"), o);
  auto t = d.load();
  for (const auto& r : t.rows) EXPECT_EQ(r.title.size, 0u);
  SQLite::Statement q(d.db, "SELECT count(*) FROM run_turn_state WHERE state LIKE '%auth module%'");
  q.executeStep();
  EXPECT_EQ(q.getColumn(0).getInt(), 0);
}

// btw_replay.jsonl: a /btw side question (a sidechain prompt) whose replay repeats the main
// thread's msg_A with a new requestId and a larger cache read. A response counts in one turn
// of a file, the main thread's: the side turn keeps only its own answer (msg_B).
TEST(RunsTurns, BtwReplayCountsInTheMainTurnOnly) {
  Db d;
  runs::ingest_session_activity(d.db, 1, read_lines("btw_replay.jsonl"));
  auto t = d.load();
  ASSERT_EQ(t.rows.size(), 2u);
  const auto* main = by_key(t, "cc:p1");
  const auto* side = by_key(t, "cc:q1");
  ASSERT_NE(main, nullptr);
  ASSERT_NE(side, nullptr);
  EXPECT_FALSE(main->subagent);
  EXPECT_EQ(main->tokens.input, 300);  // msg_A + msg_C
  EXPECT_EQ(main->tokens.output, 50);
  EXPECT_EQ(main->tokens.cache_read, 0);
  EXPECT_TRUE(side->subagent);
  EXPECT_EQ(side->tokens.input, 10);  // msg_B only
  EXPECT_EQ(side->tokens.output, 5);
  EXPECT_EQ(side->tokens.cache_read, 0);
}

// The same when the replay arrives in a later read than the main copy (its turn still open).
TEST(RunsTurns, BtwReplayInALaterReadCountsOnce) {
  auto lines = read_lines("btw_replay.jsonl");
  Db d;
  runs::ingest_session_activity(d.db, 1, {lines.begin(), lines.begin() + 2});
  runs::ingest_session_activity(d.db, 1, {lines.begin() + 2, lines.end()});
  auto t = d.load();
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(by_key(t, "cc:p1")->tokens.input, 300);
  EXPECT_EQ(by_key(t, "cc:q1")->tokens.input, 10);
  EXPECT_EQ(by_key(t, "cc:q1")->tokens.cache_read, 0);
}
