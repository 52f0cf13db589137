#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "core/sources/codex_rollout.hpp"
#include "core/sources/session_file.hpp"

using namespace costdeck::sources;
using costdeck::TokenCounts;

namespace {

const std::string kFixture = std::string(COSTDECK_FIXTURES_DIR) + "/codex/cumulative.jsonl";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Tokens per UTC day (ts / 86400000) of the events a mode counts.
std::map<std::int64_t, TokenCounts> by_day(const FileReadResult& r, bool ccusage) {
  std::map<std::int64_t, TokenCounts> out;
  for (const auto& e : r.usage)
    if (!ccusage || !e.ccusage_skips) out[e.ts_ms / 86400000] += e.tokens;
  if (ccusage)
    for (const auto& e : r.ccusage_only) out[e.event.ts_ms / 86400000] += e.event.tokens;
  return out;
}

TokenCounts tc(std::int64_t in, std::int64_t cached, std::int64_t out) {
  TokenCounts t;
  t.input = in;
  t.cache_read = cached;
  t.output = out;
  return t;
}

constexpr std::int64_t kOct1 = 20362;  // 2025-10-01 in days since the epoch

}  // namespace

TEST(SourcesCodex, CumulativeTotalsBecomeDeltas) {
  // Usage is the increase of total_token_usage; an unchanged total adds nothing; info:null
  // adds nothing; input = input - cached, cache_read = cached; reasoning kept apart.
  const auto r = read_session_file(FileKind::CodexRollout, kFixture, {});
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(r.malformed_count, 0);
  ASSERT_EQ(r.usage.size(), 7u);
  EXPECT_EQ(r.usage[0].tokens, tc(60, 40, 10));
  EXPECT_EQ(r.usage[0].reasoning_tokens, 5);
  EXPECT_EQ(r.usage[0].model, "gpt-5");
  EXPECT_EQ(r.usage[0].session_id, "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
  EXPECT_EQ(r.usage[0].project, "/w");
  EXPECT_EQ(r.usage[0].runtime, costdeck::Runtime::Codex);
  // Oct 6 repeats the Oct 5 total with a different last_token_usage: nothing.
  for (const auto& e : r.usage) EXPECT_NE(e.ts_ms / 86400000, kOct1 + 5);
  // The model named on a token_count event sticks; an empty turn_context model is ignored.
  EXPECT_EQ(r.usage[5].model, "gpt-5.1");
  EXPECT_EQ(r.usage[6].model, "gpt-5.1");
}

TEST(SourcesCodex, CcusageNumbersAreReproduced) {
  // ccusage 20.0.24 takes last_token_usage when present (numbers below are its own output on
  // this fixture); where that differs from the total's increase (Oct 2), our event is
  // flagged and its number is handed over separately.
  const auto r = read_session_file(FileKind::CodexRollout, kFixture, {});
  const auto cc = by_day(r, true);
  const std::map<std::int64_t, TokenCounts> expected = {
      {kOct1, tc(60, 40, 10)},    {kOct1 + 1, tc(1, 0, 1)},   {kOct1 + 2, tc(3, 0, 2)},
      {kOct1 + 3, tc(3, 0, 2)},   {kOct1 + 4, tc(15, 5, 3)},  {kOct1 + 6, tc(10, 0, 1)},
      {kOct1 + 7, tc(10, 0, 1)}};
  EXPECT_EQ(cc, expected);
  const auto ours = by_day(r, false);
  EXPECT_EQ(ours.at(kOct1 + 1), tc(65, 40, 5));  // the total went down: counted from zero
}

TEST(SourcesCodex, IncrementalReadsCarryTheRunningTotals) {
  // A second read from the cursor (with its state) continues the totals and model exactly.
  const std::string bytes = slurp(kFixture);
  const auto whole = read_session_file(FileKind::CodexRollout, kFixture, {});
  std::size_t cut = 0;
  for (int split = 0; (cut = bytes.find('\n', cut)) != std::string::npos; ++split, ++cut) {
    const std::string_view head(bytes.data(), cut + 1);
    const auto a = read_session_bytes(FileKind::CodexRollout, head, {}, {}, kFixture);
    const auto b = read_session_bytes(FileKind::CodexRollout, std::string_view(bytes).substr(cut + 1), a.next, {},
                                      kFixture);
    ASSERT_EQ(a.usage.size() + b.usage.size(), whole.usage.size()) << "split after line " << split + 1;
    for (std::size_t i = 0; i < b.usage.size(); ++i) {
      const auto& w = whole.usage[a.usage.size() + i];
      EXPECT_EQ(b.usage[i].tokens, w.tokens);
      EXPECT_EQ(b.usage[i].model, w.model);
      EXPECT_EQ(b.usage[i].session_id, w.session_id);
      EXPECT_EQ(b.usage[i].line_no, w.line_no);
      EXPECT_EQ(b.usage[i].offset, w.offset);
    }
    EXPECT_EQ(a.ccusage_only.size() + b.ccusage_only.size(), whole.ccusage_only.size());
  }
}

TEST(SourcesCodex, StateSurvivesEncoding) {
  // FileCursor::state round-trips; garbage gives a fresh state rather than a crash.
  CodexState s;
  s.has_prev = true;
  s.prev = {1, 2, 3, 4, 5};
  s.model = "gpt-5-codex";
  s.session_id = "abc";
  s.cwd = "/w/x y";
  const CodexState t = CodexState::decode(s.encode());
  EXPECT_TRUE(t.has_prev);
  EXPECT_EQ(t.prev, s.prev);
  EXPECT_EQ(t.model, s.model);
  EXPECT_EQ(t.cwd, s.cwd);
  EXPECT_FALSE(CodexState::decode("codex1\nzz\n").has_prev);
}

TEST(SourcesCodex, FallbacksForModelAndSessionId) {
  // Without turn_context the model is left empty (reports price it as gpt-5 and flag it as
  // ccusage's fallback); without session_meta the session id comes from the file name.
  const std::string line =
      R"({"timestamp":"2025-10-01T10:00:01.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":10,"cached_input_tokens":0,"output_tokens":2,"reasoning_output_tokens":0,"total_tokens":12}}}})"
      "\n";
  const auto r = read_session_bytes(FileKind::CodexRollout, line, {}, {},
                                    "/x/sessions/2025/10/01/rollout-2025-10-01T10-00-00-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl");
  ASSERT_EQ(r.usage.size(), 1u);
  EXPECT_EQ(r.usage[0].model, "");
  EXPECT_EQ(r.usage[0].session_id, "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
  EXPECT_FALSE(r.usage[0].ccusage_skips);
  EXPECT_EQ(codex_ccusage_session_id("/x/sessions", "/x/sessions/2025/10/01/rollout-a.jsonl"),
            "2025/10/01/rollout-a");
  EXPECT_EQ(codex_session_id_from_path("/x/notes.jsonl"), "notes");
}
