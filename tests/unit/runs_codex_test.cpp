// Codex rollout turns -> runs: prompts (each written twice) against injected context,
// token shares of the cumulative totals, model, times, title, status, a turn continued
// across appends, and the run reports listing them.

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.hpp"
#include "core/config.hpp"
#include "core/ingest.hpp"
#include "core/runs/codex_runs.hpp"
#include "core/runs/run_store.hpp"
#include "core/sources/session_file.hpp"
#include "core/sources/text_scan.hpp"
#include "core/store/store.hpp"

namespace fs = std::filesystem;
using namespace costdeck;
using sources::CodexEvent;

namespace {

constexpr const char* kTwoTurnsId = "0199c0de-0000-7000-8000-0000000000aa";
constexpr const char* kAbortedId = "0199c0de-0000-7000-8000-0000000000bb";

std::string fixture_path(const std::string& name) {
  return std::string(COSTDECK_FIXTURES_DIR) + "/runs/" + name;
}

std::vector<std::string> fixture_lines(const std::string& name) {
  std::ifstream in(fixture_path(name));
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l + "\n");
  return out;
}

std::string join(const std::vector<std::string>& v, std::size_t from, std::size_t to) {
  std::string s;
  for (std::size_t i = from; i < to; ++i) s += v[i];
  return s;
}

std::int64_t ms(const std::string& iso) {
  std::int64_t v = 0;
  EXPECT_TRUE(sources::parse_iso8601_ms(iso, v)) << iso;
  return v;
}

// A Codex home with one rollout, and a store beside it.
struct Home {
  fs::path root;
  fs::path rollout;
  explicit Home(const std::string& name, const std::string& session_id) {
    root = fs::temp_directory_path() / ("costdeck-codex-runs-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(root);
    rollout = root / "codex" / "sessions" / "2025" / "10" / "10" /
              ("rollout-2025-10-10T09-00-00-" + session_id + ".jsonl");
    fs::create_directories(rollout.parent_path());
    fs::create_directories(root / "claude");
  }
  ~Home() { fs::remove_all(root); }
  void write(const std::string& text, bool append = false) const {
    std::ofstream(rollout, std::ios::binary | (append ? std::ios::app : std::ios::trunc)) << text;
  }
  std::string db() const { return (root / "costdeck.db").string(); }
  void ingest() const {
    auto s = store::Store::open(db());
    IngestOptions o;
    o.claude_dirs = {(root / "claude").string()};
    o.codex_dirs = {(root / "codex").string()};
    costdeck::ingest(s, o);
  }
  runs::RunTable runs() const {
    auto s = store::Store::open(db());
    return runs::load_runs(s.db(), default_config(), {});
  }
};

const runs::RunRow* by_key(const runs::RunTable& t, const std::string& key) {
  for (const auto& r : t.rows)
    if (t.text_of(r.key) == key) return &r;
  return nullptr;
}

TokenCounts tokens(std::int64_t input, std::int64_t cache_read, std::int64_t output) {
  TokenCounts t;
  t.input = input;
  t.cache_read = cache_read;
  t.output = output;
  return t;
}

std::string turn_key(const char* session, const std::string& prompt_iso) {
  return std::string("cx:") + session + ":" + std::to_string(ms(prompt_iso));
}

}  // namespace

// The reader hands the tracker each prompt twice (item and event), never the environment
// context or AGENTS.md messages Codex injects, and a tool output that merely quotes
// "role":"user" is the agent at work.
TEST(RunsCodex, PromptsNotInjectedContext) {
  std::vector<sources::CodexLine> seen;
  sources::ReadOptions ro;
  ro.on_codex_activity = [&](const sources::CodexLine& l) { seen.push_back(l); };
  const auto r = sources::read_session_file(sources::FileKind::CodexRollout,
                                            fixture_path("codex_two_turns.jsonl"), {}, ro);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.malformed_count, 0);
  std::vector<std::int64_t> prompt_lines;
  for (const auto& l : seen)
    if (l.event == CodexEvent::Prompt) prompt_lines.push_back(l.line_no);
  EXPECT_EQ(prompt_lines, (std::vector<std::int64_t>{5, 6, 16, 17}));
  for (const auto& l : seen) {
    if (l.line_no == 11) {
      EXPECT_EQ(l.event, CodexEvent::Output);
    }
    if (l.line_no == 5) {
      EXPECT_FALSE(l.prompt_event);
      EXPECT_EQ(l.session_id, kTwoTurnsId);
      EXPECT_EQ(l.model, "gpt-5-codex");
      EXPECT_EQ(l.cwd, "/w/cx");
    }
    if (l.line_no == 6) {
      EXPECT_TRUE(l.prompt_event);
    }
  }
  EXPECT_TRUE(sources::is_codex_injected_text("  <environment_context>\n</environment_context>"));
  EXPECT_TRUE(sources::is_codex_injected_text("<user_shell_command>ls</user_shell_command>"));
  EXPECT_FALSE(sources::is_codex_injected_text("Explain <environment_context> to me"));
}

// Two prompts, two runs: each gets its share of the cumulative totals (input without the
// cached part, cached as cache read; a repeated total adds nothing), the turn_context model
// in effect, prompt -> last line the agent wrote, and the prompt's first words.
TEST(RunsCodex, TwoTurnsBecomeTwoRuns) {
  Home h("two", kTwoTurnsId);
  h.write(join(fixture_lines("codex_two_turns.jsonl"), 0, 20));
  h.ingest();
  auto t = h.runs();
  ASSERT_EQ(t.rows.size(), 2u);
  const auto* a = by_key(t, turn_key(kTwoTurnsId, "2025-10-10T09:00:01.100Z"));
  const auto* b = by_key(t, turn_key(kTwoTurnsId, "2025-10-10T09:05:00.100Z"));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(t.str(a->runtime), "codex");
  EXPECT_EQ(t.str(a->operation), "turn");
  EXPECT_EQ(a->source, runs::RunSource::SessionFile);
  EXPECT_EQ(t.str(a->session), kTwoTurnsId);
  EXPECT_EQ(t.str(a->project), "/w/cx");
  EXPECT_EQ(a->status, runs::RunStatus::Success);
  EXPECT_EQ(t.str(a->model), "gpt-5-codex");
  EXPECT_EQ(a->tokens, tokens(1300, 1200, 300));
  EXPECT_EQ(a->started_ms, ms("2025-10-10T09:00:01.100Z"));
  EXPECT_EQ(a->duration_ms, 19900);
  EXPECT_EQ(t.text_of(a->title), "Add a --verbose flag to the CLI parser…");
  EXPECT_TRUE(a->has_cost);
  EXPECT_TRUE(a->cost_computed);
  EXPECT_NEAR(a->cost_usd, (1300 * 1.25 + 1200 * 0.125 + 300 * 10.0) / 1e6, 1e-12);

  EXPECT_EQ(t.str(b->model), "gpt-5.1-codex");
  EXPECT_EQ(b->tokens, tokens(700, 800, 50));
  EXPECT_EQ(b->duration_ms, 29900);
  EXPECT_EQ(t.text_of(b->title), "Now run the tests");
  EXPECT_EQ(t.str(t.rows[0].tier), "codex");  // the default tier rules know gpt models

  // The runs' tokens are the usage events': nothing counted twice, nothing lost.
  const auto r = sources::read_session_file(sources::FileKind::CodexRollout, h.rollout.string(), {});
  TokenCounts usage, in_runs = a->tokens;
  for (const auto& e : r.usage) usage += e.tokens;
  in_runs += b->tokens;
  EXPECT_EQ(in_runs, usage);
}

// Half the rollout (up to a token_count in the first turn), an ingest, the rest appended,
// another ingest: the first turn's run is visible at once, then rewritten under the same
// key with the final totals; no duplicate.
TEST(RunsCodex, TurnContinuedAcrossAppend) {
  const auto lines = fixture_lines("codex_two_turns.jsonl");
  Home h("append", kTwoTurnsId);
  const std::string key = turn_key(kTwoTurnsId, "2025-10-10T09:00:01.100Z");
  h.write(join(lines, 0, 10));
  h.ingest();
  {
    auto t = h.runs();
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.text_of(t.rows[0].key), key);
    EXPECT_EQ(t.rows[0].tokens, tokens(800, 200, 100));
    SQLite::Database db(h.db(), SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM run_turn_state WHERE track = 'codex'").getInt(), 1);
  }
  h.write(join(lines, 10, lines.size()), true);
  h.ingest();
  auto t = h.runs();
  ASSERT_EQ(t.rows.size(), 2u);
  const auto* a = by_key(t, key);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->tokens, tokens(1300, 1200, 300));
  EXPECT_EQ(a->duration_ms, 19900);
  SQLite::Database db(h.db(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM runs").getInt(), 2);
}

// Wherever the file is cut into two reads (between a prompt's two copies too), the runs are
// those of one read.
TEST(RunsCodex, AnyCutGivesTheSameRuns) {
  for (const char* name : {"codex_two_turns.jsonl", "codex_aborted.jsonl"}) {
    const auto lines = fixture_lines(name);
    Home whole(std::string("whole-") + name, kTwoTurnsId);
    whole.write(join(lines, 0, lines.size()));
    whole.ingest();
    const auto x = whole.runs();
    for (std::size_t cut = 1; cut < lines.size(); ++cut) {
      Home split(std::string("split-") + name, kTwoTurnsId);
      split.write(join(lines, 0, cut));
      split.ingest();
      split.write(join(lines, cut, lines.size()), true);
      split.ingest();
      const auto y = split.runs();
      ASSERT_EQ(x.rows.size(), y.rows.size()) << name << " cut after line " << cut;
      for (std::size_t i = 0; i < x.rows.size(); ++i) {
        SCOPED_TRACE(std::string(name) + " cut after line " + std::to_string(cut));
        EXPECT_EQ(x.text_of(x.rows[i].key), y.text_of(y.rows[i].key));
        EXPECT_EQ(x.rows[i].tokens, y.rows[i].tokens);
        EXPECT_EQ(x.rows[i].started_ms, y.rows[i].started_ms);
        EXPECT_EQ(x.rows[i].duration_ms, y.rows[i].duration_ms);
        EXPECT_EQ(x.rows[i].status, y.rows[i].status);
        EXPECT_EQ(x.text_of(x.rows[i].title), y.text_of(y.rows[i].title));
        EXPECT_EQ(x.str(x.rows[i].model), y.str(y.rows[i].model));
      }
      EXPECT_EQ(x.errors.size(), y.errors.size()) << name << " cut after line " << cut;
    }
  }
}

// turn_aborted: aborted, ended at the abort; the <turn_aborted> note Codex then adds is not
// a prompt. An error event the turn ends on: error, with its message (status 429 in the
// errors report). task_started / task_complete give the times when the rollout has them.
TEST(RunsCodex, AbortedErrorAndTaskEvents) {
  Home h("aborted", kAbortedId);
  h.write(join(fixture_lines("codex_aborted.jsonl"), 0, 21));
  h.ingest();
  auto t = h.runs();
  ASSERT_EQ(t.rows.size(), 3u);
  const auto* a = by_key(t, turn_key(kAbortedId, "2025-10-11T10:00:00.050Z"));
  const auto* e = by_key(t, turn_key(kAbortedId, "2025-10-11T10:01:00.020Z"));
  const auto* s = by_key(t, turn_key(kAbortedId, "2025-10-11T10:02:00.010Z"));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(e, nullptr);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(a->status, runs::RunStatus::Aborted);
  EXPECT_EQ(a->started_ms, ms("2025-10-11T10:00:00.000Z"));  // task_started
  EXPECT_EQ(a->duration_ms, 6000);                           // to turn_aborted
  EXPECT_EQ(a->tokens, tokens(500, 0, 50));
  EXPECT_EQ(e->status, runs::RunStatus::Error);
  EXPECT_EQ(t.text_of(e->error), "unexpected status 429 Too Many Requests: rate limited");
  EXPECT_EQ(e->duration_ms, 7000);  // to task_complete
  EXPECT_EQ(e->tokens, tokens(200, 100, 30));
  EXPECT_EQ(s->status, runs::RunStatus::Success);
  EXPECT_EQ(s->duration_ms, 12000);
  EXPECT_EQ(t.text_of(s->title), "try again");
  ASSERT_EQ(t.errors.size(), 2u);
  EXPECT_EQ(t.errors[0].kind, runs::ErrorKind::Interruption);
  EXPECT_EQ(t.errors[0].run_key, t.text_of(a->key));
  EXPECT_EQ(t.errors[1].kind, runs::ErrorKind::ApiError);
  EXPECT_EQ(t.errors[1].status, 429);
  EXPECT_EQ(t.errors[1].run_key, t.text_of(e->key));
  EXPECT_EQ(t.errors[1].runtime, "codex");
}

// store_prompt_text = false: no title, and no prompt words in the saved open turn.
TEST(RunsCodex, NoPromptTextOption) {
  runs::SessionRunOptions o;
  o.store_prompt_text = false;
  runs::CodexTurnTracker tracker({}, o);
  sources::ReadOptions ro;
  ro.on_codex_activity = [&](const sources::CodexLine& l) { tracker.feed(l); };
  sources::read_session_file(sources::FileKind::CodexRollout, fixture_path("codex_two_turns.jsonl"), {}, ro);
  auto a = tracker.finish();
  ASSERT_EQ(a.runs.size(), 2u);
  for (const auto& r : a.runs) EXPECT_TRUE(r.title.empty());
  ASSERT_EQ(a.open.size(), 1u);
  EXPECT_EQ(a.open[0].state.find("run the tests"), std::string::npos);
}

// The run reports read Codex runs like any others.
TEST(RunsCodex, ReportsListCodexRuns) {
  Home h("reports", kTwoTurnsId);
  h.write(join(fixture_lines("codex_two_turns.jsonl"), 0, 20));
  const std::string common = " --json --timezone UTC --now 2025-10-10T12:00:00Z --db '" + h.db() +
                             "' --claude-dir '" + (h.root / "claude").string() + "' --codex-dir '" +
                             (h.root / "codex").string() + "'";
  auto report = [&](const std::string& args) {
    auto r = test::run_costdeck("report " + args + common);
    EXPECT_EQ(r.status, 0) << args << ": " << r.out;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << args << ": " << r.out;
    return j;
  };
  auto rt = report("runtimes");
  ASSERT_TRUE(rt.contains("runtimes"));
  ASSERT_EQ(rt["runtimes"].size(), 1u);
  EXPECT_EQ(rt["runtimes"][0]["runtime"], "codex");
  EXPECT_EQ(rt["runtimes"][0]["tasks"], 2);
  auto act = report("activity --runtime codex");
  ASSERT_EQ(act["runs"].size(), 2u);
  EXPECT_EQ(act["runs"][0]["title"], "Now run the tests");  // the latest first
  EXPECT_EQ(act["runs"][1]["title"], "Add a --verbose flag to the CLI parser…");
  EXPECT_EQ(report("performance --runtime codex")["tasks"], 2);
  EXPECT_EQ(report("slowest")["runs"].size(), 2u);
  auto ops = report("operations --runtime codex");
  ASSERT_EQ(ops["operations"].size(), 1u);
  EXPECT_EQ(ops["operations"][0]["operation"], "turn");
  EXPECT_EQ(ops["operations"][0]["runs"], 2);
  EXPECT_EQ(report("tiers")["totals"]["runs"], 2);
  EXPECT_EQ(report("activity --runtime claude")["runs"].size(), 0u);
}
